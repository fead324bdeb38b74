"""The link/join boilerplate of a supergraph, per join spec version (public specs.apollo.dev).

Each entry is one top-level definition; the printer sorts them together with the user types.
"""

from __future__ import annotations

_LINK_PURPOSE = '''enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''

_JOIN_FIELD_ARGUMENTS = {
    "v0.3": "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String,"
    " external: Boolean, override: String, usedOverridden: Boolean",
}
_JOIN_FIELD_ARGUMENTS["v0.4"] = _JOIN_FIELD_ARGUMENTS["v0.3"] + ", overrideLabel: String"
_JOIN_FIELD_ARGUMENTS["v0.5"] = (
    _JOIN_FIELD_ARGUMENTS["v0.4"] + ", contextArguments: [join__ContextArgument!]"
)

_TAG_LOCATIONS = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM"
    " | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"
)
_INACCESSIBLE_LOCATIONS = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM"
    " | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)


def directive_definitions(
    join_version: str, *, tag_name: str | None, inaccessible_name: str | None
) -> dict[str, str]:
    """Directive name -> its definition, for the join version and the features in use."""
    definitions = {
        "join__enumValue": "directive @join__enumValue(graph: join__Graph!)"
        " repeatable on ENUM_VALUE",
        "join__field": f"directive @join__field({_JOIN_FIELD_ARGUMENTS[join_version]})"
        " repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION",
        "join__graph": "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
        "join__implements": "directive @join__implements(graph: join__Graph!, interface: String!)"
        " repeatable on OBJECT | INTERFACE",
        "join__type": "directive @join__type(graph: join__Graph!, key: join__FieldSet,"
        " extension: Boolean! = false, resolvable: Boolean! = true,"
        " isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM"
        " | INPUT_OBJECT | SCALAR",
        "join__unionMember": "directive @join__unionMember(graph: join__Graph!, member: String!)"
        " repeatable on UNION",
        "link": "directive @link(url: String, as: String, for: link__Purpose,"
        " import: [link__Import]) repeatable on SCHEMA",
    }
    if join_version != "v0.3":
        definitions["join__directive"] = (
            "directive @join__directive(graphs: [join__Graph!], name: String!,"
            " args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE"
            " | FIELD_DEFINITION"
        )
    if tag_name is not None:
        definitions[tag_name] = (
            f"directive @{tag_name}(name: String!) repeatable on {_TAG_LOCATIONS}"
        )
    if inaccessible_name is not None:
        definitions[inaccessible_name] = (
            f"directive @{inaccessible_name} on {_INACCESSIBLE_LOCATIONS}"
        )
    return definitions


def type_definitions(join_version: str) -> dict[str, str]:
    """Type name -> its definition (``join__Graph`` is printed from the subgraph list)."""
    definitions = {
        "join__FieldSet": "scalar join__FieldSet",
        "link__Import": "scalar link__Import",
        "link__Purpose": _LINK_PURPOSE,
    }
    if join_version != "v0.3":
        definitions["join__DirectiveArguments"] = "scalar join__DirectiveArguments"
    if join_version == "v0.5":
        definitions["join__FieldValue"] = "scalar join__FieldValue"
        definitions["join__ContextArgument"] = (
            "input join__ContextArgument {\n  name: String!\n  type: String!\n"
            "  context: String!\n  selection: join__FieldValue!\n}"
        )
    return definitions
