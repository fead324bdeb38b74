"""Per-subgraph checks of @key, @requires, @provides and @external."""

from __future__ import annotations

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
    is_composite_type,
    print_ast,
)

from router.composition.fieldset import FieldSetCheck, check_field_set, parse_context_reference
from router.composition.results import Diagnostics
from router.composition.subgraph import Subgraph, directive_arguments, directives, has_directive
from router.composition.validate_demand_control import validate_demand_control

Composite = GraphQLObjectType | GraphQLInterfaceType


def validate_subgraph(subgraph: Subgraph, diagnostics: Diagnostics) -> None:
    used_externals: set[tuple[str, str]] = set()
    for named_type in subgraph.user_types():
        if not isinstance(named_type, Composite):
            continue
        used_externals |= _check_keys(subgraph, named_type, diagnostics)
        if isinstance(named_type, GraphQLInterfaceType):
            _check_interface_keys_on_implementations(subgraph, named_type, diagnostics)
        for field_name, field in named_type.fields.items():
            coordinate = f"{named_type.name}.{field_name}"
            for node in directives(field, "requires"):
                fields = str(directive_arguments(node).get("fields", ""))
                used_externals |= _check_requires(
                    subgraph, named_type, coordinate, fields, diagnostics
                )
            for node in directives(field, "provides"):
                fields = str(directive_arguments(node).get("fields", ""))
                used_externals |= _check_provides(subgraph, field, coordinate, fields, diagnostics)
    used_externals |= _check_contexts(subgraph, diagnostics)
    if not subgraph.is_federation1:
        _check_unused_externals(subgraph, used_externals, diagnostics)
    validate_demand_control(subgraph, diagnostics)


def key_field_coordinates(subgraph: Subgraph) -> set[tuple[str, str]]:
    """Every ``(Type, field)`` some @key of the subgraph selects: implicitly shareable."""
    selected: set[tuple[str, str]] = set()
    for named_type in subgraph.user_types():
        if isinstance(named_type, Composite):
            for node in directives(named_type, "key"):
                fields = str(directive_arguments(node).get("fields", ""))
                selected.update(check_field_set(subgraph.schema, named_type.name, fields).selected)
    return selected


def provided_coordinates(subgraph: Subgraph) -> set[tuple[str, str]]:
    """Every ``(Type, field)`` some @provides of the subgraph selects."""
    selected: set[tuple[str, str]] = set()
    for named_type in subgraph.user_types():
        if isinstance(named_type, Composite):
            for field in named_type.fields.values():
                for node in directives(field, "provides"):
                    fields = str(directive_arguments(node).get("fields", ""))
                    target = get_named_type(field.type).name
                    selected.update(check_field_set(subgraph.schema, target, fields).selected)
    return selected


def _check_keys(
    subgraph: Subgraph, owner: Composite, diagnostics: Diagnostics
) -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for node in directives(owner, "key"):
        fields = str(directive_arguments(node).get("fields", ""))
        check = check_field_set(subgraph.schema, owner.name, fields)
        used.update(check.selected)
        for problem in check.problems:
            diagnostics.error(
                "KEY_INVALID_FIELDS",
                f'[{subgraph.name}] On type "{owner.name}", for @key(fields: "{fields}"): '
                f"{problem}. A @key may only name fields the type defines in this subgraph: add "
                "the field to the type (with @external if another subgraph resolves it) or fix "
                "the key.",
                subgraph=subgraph.name,
                coordinate=owner.name,
            )
        for type_name, field_name in check.selected:
            selected_type = subgraph.schema.type_map[type_name]
            assert isinstance(selected_type, Composite)
            field_type = selected_type.fields[field_name].type
            bare = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
            if isinstance(bare, GraphQLList) or isinstance(
                get_named_type(field_type), GraphQLInterfaceType | GraphQLUnionType
            ):
                diagnostics.error(
                    "KEY_FIELDS_SELECT_INVALID_TYPE",
                    f'[{subgraph.name}] On type "{owner.name}", for @key(fields: "{fields}"): '
                    f'field "{type_name}.{field_name}" is a {field_type} which is not allowed in '
                    "@key: key fields must be scalars, enums or objects, never lists, interfaces "
                    "or unions.",
                    subgraph=subgraph.name,
                    coordinate=f"{type_name}.{field_name}",
                )
    return used


def _check_requires(
    subgraph: Subgraph,
    owner: Composite,
    coordinate: str,
    fields: str,
    diagnostics: Diagnostics,
) -> set[tuple[str, str]]:
    check = check_field_set(subgraph.schema, owner.name, fields)
    for problem in check.problems:
        diagnostics.error(
            "REQUIRES_INVALID_FIELDS",
            f'[{subgraph.name}] On field "{coordinate}", for @requires(fields: "{fields}"): '
            f"{problem}. Required fields must be declared (with @external) on the type in this "
            "subgraph.",
            subgraph=subgraph.name,
            coordinate=coordinate,
        )
    if not subgraph.is_federation1:
        _check_leaves_external(subgraph, check, "requires", coordinate, fields, diagnostics)
    return set(check.selected)


def _check_provides(
    subgraph: Subgraph,
    field: GraphQLField,
    coordinate: str,
    fields: str,
    diagnostics: Diagnostics,
) -> set[tuple[str, str]]:
    target = get_named_type(field.type)
    if not is_composite_type(target):
        diagnostics.error(
            "PROVIDES_ON_NON_OBJECT_FIELD",
            f'[{subgraph.name}] Invalid @provides directive on field "{coordinate}": field has '
            f'type "{field.type}" which is not a Composite Type. Remove the @provides.',
            subgraph=subgraph.name,
            coordinate=coordinate,
        )
        return set()
    check = check_field_set(subgraph.schema, target.name, fields)
    for problem in check.problems:
        diagnostics.error(
            "PROVIDES_INVALID_FIELDS",
            f'[{subgraph.name}] On field "{coordinate}", for @provides(fields: "{fields}"): '
            f'{problem}. Provided fields must be declared (with @external) on "{target.name}" in '
            "this subgraph.",
            subgraph=subgraph.name,
            coordinate=coordinate,
        )
    if not subgraph.is_federation1:
        _check_leaves_external(subgraph, check, "provides", coordinate, fields, diagnostics)
    return set(check.selected)


def _check_leaves_external(
    subgraph: Subgraph,
    check: FieldSetCheck,
    directive: str,
    coordinate: str,
    fields: str,
    diagnostics: Diagnostics,
) -> None:
    keys = key_field_coordinates(subgraph)
    for (type_name, field_name), ancestors in zip(check.selected, check.ancestors, strict=True):
        owner = subgraph.schema.type_map[type_name]
        assert isinstance(owner, Composite)
        field = owner.fields[field_name]
        if is_composite_type(get_named_type(field.type)) or (type_name, field_name) in keys:
            continue
        if any(_is_external_in_parents(subgraph, *ancestor) for ancestor in ancestors):
            continue
        if not (has_directive(field, "external") or has_directive(owner, "external")):
            diagnostics.error(
                f"{directive.upper()}_FIELDS_MISSING_EXTERNAL",
                f'[{subgraph.name}] On field "{coordinate}", for @{directive}(fields: '
                f'"{fields}"): field "{type_name}.{field_name}" should not be part of a '
                f"@{directive} since it is already resolved by this subgraph (it is not marked "
                "@external). Mark it @external or remove it from the selection.",
                subgraph=subgraph.name,
                coordinate=coordinate,
            )


def _is_external_in_parents(subgraph: Subgraph, type_name: str, field_name: str) -> bool:
    """An @external field (or an interface field @external in some implementation) makes every
    field selected under it external too, as Apollo's field-set validation has it."""
    owner = subgraph.schema.type_map[type_name]
    assert isinstance(owner, Composite)
    if has_directive(owner.fields[field_name], "external") or has_directive(owner, "external"):
        return True
    if isinstance(owner, GraphQLInterfaceType):
        for implementation in subgraph.schema.get_possible_types(owner):
            field = implementation.fields.get(field_name)
            if field is not None and has_directive(field, "external"):
                return True
    return False


def _check_unused_externals(
    subgraph: Subgraph, used: set[tuple[str, str]], diagnostics: Diagnostics
) -> None:
    for named_type in subgraph.user_types():
        if not isinstance(named_type, Composite):
            continue
        interface_fields = {
            name for interface in named_type.interfaces for name in interface.fields
        }
        for field_name, field in named_type.fields.items():
            external = has_directive(field, "external") or has_directive(named_type, "external")
            if (
                not external
                or (named_type.name, field_name) in used
                or field_name in interface_fields
            ):
                continue
            diagnostics.error(
                "EXTERNAL_UNUSED",
                f'[{subgraph.name}] Field "{named_type.name}.{field_name}" is marked @external but '
                "is not used in any federation directive (@key, @provides, @requires) or to "
                "satisfy an interface; the field declaration has no use and should be removed "
                "(or the field should not be @external).",
                subgraph=subgraph.name,
                coordinate=f"{named_type.name}.{field_name}",
            )


def _check_interface_keys_on_implementations(
    subgraph: Subgraph, interface: GraphQLInterfaceType, diagnostics: Diagnostics
) -> None:
    implementations = subgraph.schema.get_implementations(interface).objects
    for node in directives(interface, "key"):
        fields = str(directive_arguments(node).get("fields", ""))
        for implementation in implementations:
            implementation_keys = {
                str(directive_arguments(key).get("fields", ""))
                for key in directives(implementation, "key")
            }
            if fields not in implementation_keys:
                diagnostics.error(
                    "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                    f'[{subgraph.name}] Key @key(fields: "{fields}") on interface type '
                    f'"{interface.name}" is missing on implementation type '
                    f'"{implementation.name}". Add the same @key to "{implementation.name}".',
                    subgraph=subgraph.name,
                    coordinate=implementation.name,
                )


def _check_contexts(subgraph: Subgraph, diagnostics: Diagnostics) -> set[tuple[str, str]]:
    """Every @fromContext names a context some type sets, with a selection valid there; returns
    the fields the selections use (an @external field they read is used)."""
    used: set[tuple[str, str]] = set()
    context_types: dict[str, list[str]] = {}
    for named_type in subgraph.user_types():
        for node in directives(named_type, "context"):
            name = str(directive_arguments(node).get("name", ""))
            context_types.setdefault(name, []).append(named_type.name)
    for named_type in subgraph.user_types():
        if not isinstance(named_type, Composite):
            continue
        for field_name, field in named_type.fields.items():
            for argument_name, argument in field.args.items():
                location = f"{named_type.name}.{field_name}({argument_name}:)"
                for node in directives(argument, "fromContext"):
                    reference = str(directive_arguments(node).get("field", ""))
                    used |= _check_context_reference(
                        subgraph, context_types, location, reference, diagnostics
                    )
    return used


def _check_context_reference(
    subgraph: Subgraph,
    context_types: dict[str, list[str]],
    location: str,
    reference: str,
    diagnostics: Diagnostics,
) -> set[tuple[str, str]]:
    context, selection = parse_context_reference(reference)
    if context not in context_types:
        diagnostics.error(
            "CONTEXT_NOT_SET",
            f'[{subgraph.name}] Context "{context}" is used at location "{location}" but is '
            f'never set. Add @context(name: "{context}") to the type that provides it.',
            subgraph=subgraph.name,
            coordinate=location,
        )
        return set()
    selection = selection.strip()
    if selection.startswith("{") and selection.endswith("}"):
        selection = selection[1:-1]
    used: set[tuple[str, str]] = set()
    for type_name in context_types[context]:
        check = check_field_set(subgraph.schema, type_name, selection)
        used.update(check.selected)
        for problem in check.problems:
            diagnostics.error(
                "CONTEXT_INVALID_SELECTION",
                f'[{subgraph.name}] Context "{context}" is used in "{location}" but the '
                f"selection is invalid for type {type_name}. Error: {problem}.",
                subgraph=subgraph.name,
                coordinate=location,
            )
    return used


def check_merged_directives_on_externals(subgraph: Subgraph, diagnostics: Diagnostics) -> None:
    """@tag and @inaccessible describe a field where it is resolved, never on an @external.

    Apollo checks this while merging, so it does not stop composition at the subgraph stage.
    """
    for named_type in subgraph.user_types():
        if not isinstance(named_type, Composite):
            continue
        for field_name, field in named_type.fields.items():
            if not (has_directive(field, "external") or has_directive(named_type, "external")):
                continue
            for name in ("tag", "inaccessible"):
                for node in directives(field, name):
                    local = subgraph.local_directive_names.get(name, name)
                    printed = [
                        f"{a.name.value}: {print_ast(a.value)}" for a in node.arguments or ()
                    ]
                    arguments = f"({', '.join(printed)})" if printed else ""
                    diagnostics.error(
                        "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
                        f"[{subgraph.name}] Cannot apply merged directive @{local}{arguments} to "
                        f'external field "{named_type.name}.{field_name}". Put it on the field '
                        "in the subgraph that resolves it.",
                        subgraph=subgraph.name,
                        coordinate=f"{named_type.name}.{field_name}",
                    )
