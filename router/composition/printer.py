"""Print the merged supergraph model as Apollo Federation 2 supergraph SDL.

Layout follows @apollo/composition: schema definition with the @link applications, then every
directive and type definition sorted by name, type-level directives one per line.
"""

from __future__ import annotations

from graphql import StringValueNode, print_ast
from graphql.language.block_string import is_printable_as_block_string
from graphql.language.print_string import print_string

from router.composition.carried_directives import COST_SPEC_URL, SPEC_URLS, used_features
from router.composition.carried_directives import DEFINITIONS as CARRIED_DEFINITIONS
from router.composition.carried_directives import TYPE_DEFINITIONS as CARRIED_TYPE_DEFINITIONS
from router.composition.federation_spec import graph_enum_value, join_spec_version
from router.composition.join_spec import directive_definitions, type_definitions
from router.composition.model import Argument, Field, FieldSource, Key, MergedType, Supergraph

_SPECS = "https://specs.apollo.dev"
CONTEXT_DIRECTIVE_DEFINITIONS = {
    "context": "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "context__fromContext": "directive @context__fromContext(field: context__ContextFieldValue)"
    " on ARGUMENT_DEFINITION",
}
# Without an import, a spec directive not named like its spec is namespaced.
_DEFAULT_CARRIED_NAMES = {"listSize": "cost__listSize"}
_KIND_KEYWORDS = {
    "object": "type",
    "interface": "interface",
    "union": "union",
    "enum": "enum",
    "input": "input",
    "scalar": "scalar",
}


def print_supergraph(supergraph: Supergraph) -> str:
    return _Printer(supergraph).print()


class _Printer:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.join_version = join_spec_version(supergraph.federation_version)
        self.tag = supergraph.tag_directive_name if supergraph.uses_tag else None
        self.inaccessible = (
            supergraph.inaccessible_directive_name if supergraph.uses_inaccessible else None
        )
        self.carried_features = used_features(
            supergraph.carried_applications(), supergraph.carried_names
        )
        self.graph_values = {name: graph_enum_value(name) for name, _ in supergraph.graphs}

    def print(self) -> str:
        directives = directive_definitions(
            self.join_version, tag_name=self.tag, inaccessible_name=self.inaccessible
        )
        carried = list(self.carried_features)
        if self._uses_cost_spec():
            # The cost spec comes whole: an unused @listSize keeps its namespaced name.
            carried += [name for name in ("cost", "listSize") if name not in carried]
        for feature in carried:
            name = self._carried_name(feature)
            directives[name] = CARRIED_DEFINITIONS[feature].replace(f"@{feature}", f"@{name}", 1)
        if self.supergraph.uses_context:
            directives.update(CONTEXT_DIRECTIVE_DEFINITIONS)
        directives.update(self.supergraph.composed_definitions)
        blocks = dict(type_definitions(self.join_version))
        if self.supergraph.uses_context:
            blocks["context__ContextFieldValue"] = "scalar context__ContextFieldValue"
        for feature in self.carried_features:
            if feature in CARRIED_TYPE_DEFINITIONS:
                type_name, definition = CARRIED_TYPE_DEFINITIONS[feature]
                blocks[type_name] = definition
        blocks["join__Graph"] = self._graph_enum()
        for merged in self.supergraph.types.values():
            blocks[merged.name] = self._type(merged)
        parts = [self._schema_definition()]
        parts += [directives[name] for name in sorted(directives, key=str.lower)]
        parts += [blocks[name] for name in sorted(blocks, key=str.lower)]
        return "\n\n".join(parts)

    def _schema_definition(self) -> str:
        links = [
            f'@link(url: "{_SPECS}/link/v1.0")',
            f'@link(url: "{_SPECS}/join/{self.join_version}", for: EXECUTION)',
        ]
        if self.tag is not None:
            renamed = (
                f', import: [{{name: "@tag", as: "@{self.tag}"}}]' if self.tag != "tag" else ""
            )
            links.append(f'@link(url: "{_SPECS}/tag/v0.3"{renamed})')
        if self.inaccessible is not None:
            renamed = (
                f', import: [{{name: "@inaccessible", as: "@{self.inaccessible}"}}]'
                if self.inaccessible != "inaccessible"
                else ""
            )
            links.append(f'@link(url: "{_SPECS}/inaccessible/v0.2"{renamed}, for: SECURITY)')
        for feature in self.carried_features:
            if feature in SPEC_URLS:
                url, purpose = SPEC_URLS[feature]
                links.append(f'@link(url: "{url}"{purpose}{self._imports([feature])})')
        if self.supergraph.uses_context:
            links.append(f'@link(url: "{_SPECS}/context/v0.1", for: SECURITY)')
        if self._uses_cost_spec():
            # @cost is the spec's own name; @listSize (cost__listSize) needs importing.
            links.append(f'@link(url: "{COST_SPEC_URL}"{self._imports(["cost", "listSize"])})')
        links += self.supergraph.composed_links
        roots = [
            f"  {operation}: {name}"
            for operation, name in (
                ("query", "Query"),
                ("mutation", "Mutation"),
                ("subscription", "Subscription"),
            )
            if name in self.supergraph.types
        ]
        return (
            "schema\n" + "".join(f"  {link}\n" for link in links) + "{\n" + "\n".join(roots) + "\n}"
        )

    def _carried_name(self, feature: str) -> str:
        """A carried directive's name here: a subgraph's rename, else the spec's default."""
        if feature in self.carried_features and feature in self.supergraph.carried_names:
            return self.supergraph.carried_names[feature]
        return _DEFAULT_CARRIED_NAMES.get(feature, feature)

    def _imports(self, features: list[str]) -> str:
        """The ``import:`` of a carried spec's @link: names differing from the defaults."""
        printed = []
        for feature in features:
            name = self._carried_name(feature)
            if name == _DEFAULT_CARRIED_NAMES.get(feature, feature):
                continue
            printed.append(
                f'"@{feature}"' if name == feature else f'{{name: "@{feature}", as: "@{name}"}}'
            )
        return f", import: [{', '.join(printed)}]" if printed else ""

    def _uses_cost_spec(self) -> bool:
        return "cost" in self.carried_features or "listSize" in self.carried_features

    def _graph_enum(self) -> str:
        values = [
            f"  {self.graph_values[name]} @join__graph(name: {print_string(name)}, "
            f"url: {print_string(url)})"
            for name, url in self.supergraph.graphs
        ]
        return "enum join__Graph {\n" + "\n".join(values) + "\n}"

    def _type(self, merged: MergedType) -> str:
        header = f"{_KIND_KEYWORDS[merged.kind]} {merged.name}"
        if merged.implements:
            header += " implements " + " & ".join(merged.implements)
        directives = self._type_directives(merged)
        text = _description(merged.description, "") + header
        text += "".join(f"\n  {directive}" for directive in directives)
        if merged.kind == "union":
            return text + ("\n = " if directives else " = ") + " | ".join(merged.members)
        if merged.kind == "scalar":
            return text
        body = (
            [self._enum_value(merged, name) for name in merged.values]
            if merged.kind == "enum"
            else [self._field(merged, field) for field in merged.fields.values()]
        )
        return text + ("\n{\n" if directives else " {\n") + _join_members(body) + "\n}"

    def _type_directives(self, merged: MergedType) -> list[str]:
        directives = [
            f'@join__implements(graph: {self.graph_values[graph]}, interface: "{interface}")'
            for interface, graphs in merged.implements.items()
            for graph in graphs
        ]
        for graph, source in merged.sources.items():
            interface_object = ", isInterfaceObject: true" if source.is_interface_object else ""
            keys: list[Key | None] = [*source.keys] or [None]
            for key in keys:
                arguments = f"graph: {self.graph_values[graph]}"
                if key is not None:
                    arguments += f", key: {print_string(key.fields)}"
                # Like Apollo, only a key says whether it was declared on an extension.
                extension = ", extension: true" if key is not None and key.extension else ""
                resolvable = "" if key is None or key.resolvable else ", resolvable: false"
                directives.append(
                    f"@join__type({arguments}{extension}{interface_object}{resolvable})"
                )
        directives += [f"@context(name: {print_string(name)})" for name in merged.contexts]
        if merged.inaccessible:
            directives.append(f"@{self.inaccessible}")
        directives += [
            f'@join__unionMember(graph: {self.graph_values[graph]}, member: "{member}")'
            for member, graphs in merged.members.items()
            for graph in graphs
        ]
        return directives + merged.carried

    def _field(self, merged: MergedType, field: Field) -> str:
        arguments = self._arguments(list(field.arguments.values()))
        line = f"{field.name}{arguments}: {field.type}"
        if field.default is not None:
            line += f" = {print_ast(field.default)}"
        directives = [f"@{self.inaccessible}"] if field.inaccessible else []
        if merged.kind == "input":
            directives += field.carried
        elif field.from_interface_object:
            # Copied from the @interfaceObject with its metadata, then marked as such.
            directives += [*field.carried, "@join__field"]
        else:
            directives += self._join_fields(merged, field) + field.carried
        if directives:
            line += " " + " ".join(directives)
        return _description(field.description, "  ") + "  " + line

    def _arguments(self, arguments: list[Argument]) -> str:
        if not arguments:
            return ""
        printed = []
        for argument in arguments:
            text = f"{argument.name}: {argument.type}"
            if argument.default is not None:
                text += f" = {print_ast(argument.default)}"
            directives = [f"@{self.inaccessible}"] if argument.inaccessible else []
            directives += argument.carried
            if directives:
                text += " " + " ".join(directives)
            printed.append((argument.description, text))
        if not any(description for description, _ in printed):
            return "(" + ", ".join(text for _, text in printed) + ")"
        lines = [_description(description, "    ") + "    " + text for description, text in printed]
        return "(\n" + _join_members(lines) + "\n  )"

    def _join_fields(self, merged: MergedType, field: Field) -> list[str]:
        if merged.kind == "input":
            return []
        sources = list(field.sources.values())
        types_differ = len({source.type for source in sources}) > 1
        needed = (
            types_differ
            or set(field.sources) != set(merged.sources)
            or any(
                source.external
                or source.requires
                or source.provides
                or source.override
                or source.used_overridden
                or source.context_arguments
                for source in sources
            )
        )
        if not needed:
            return []
        directives = []
        for source in sources:
            arguments = [f"graph: {self.graph_values[source.graph]}"]
            if source.requires is not None:
                arguments.append(f"requires: {print_string(source.requires)}")
            if source.provides is not None:
                arguments.append(f"provides: {print_string(source.provides)}")
            if types_differ:
                arguments.append(f"type: {print_string(source.type)}")
            if source.external:
                arguments.append("external: true")
            if source.override is not None:
                arguments.append(f"override: {print_string(source.override)}")
            if source.used_overridden:
                arguments.append("usedOverridden: true")
            if source.override_label is not None:
                arguments.append(f"overrideLabel: {print_string(source.override_label)}")
            if source.context_arguments:
                arguments.append(f"contextArguments: {_context_arguments(source)}")
            directives.append(f"@join__field({', '.join(arguments)})")
        return directives

    def _enum_value(self, merged: MergedType, name: str) -> str:
        value = merged.values[name]
        directives = [f"@{self.inaccessible}"] if value.inaccessible else []
        directives += [f"@join__enumValue(graph: {self.graph_values[g]})" for g in value.graphs]
        directives += value.carried
        return _description(value.description, "  ") + f"  {name} " + " ".join(directives)


def _context_arguments(source: FieldSource) -> str:
    printed = [
        f"{{context: {print_string(argument.context)}, name: {print_string(argument.name)}, "
        f"type: {print_string(argument.type)}, selection: {print_string(argument.selection)}}}"
        for argument in source.context_arguments
    ]
    return "[" + ", ".join(printed) + "]"


def _join_members(lines: list[str]) -> str:
    """One member per line; like graphql-js, a described member after the first gets a blank
    line before it."""
    text = ""
    for index, line in enumerate(lines):
        if index:
            text += "\n\n" if line.lstrip().startswith('"""') else "\n"
        text += line
    return text


def _description(description: str | None, indent: str) -> str:
    """Printed like graphql-js: a block string, on several lines when long or multi-line."""
    if not description:
        return ""
    node = StringValueNode(value=description, block=is_printable_as_block_string(description))
    return indent + print_ast(node).replace("\n", "\n" + indent) + "\n"
