"""The API schema left after removing @inaccessible elements must still be a valid schema."""

from __future__ import annotations

from router.composition.model import MergedType, Supergraph
from router.composition.results import Diagnostics


def validate_inaccessible(supergraph: Supergraph, diagnostics: Diagnostics) -> None:
    types = supergraph.types
    hidden = {name for name, merged in types.items() if merged.inaccessible}
    for merged in types.values():
        if merged.inaccessible:
            continue
        _check_children(merged, hidden, diagnostics)
        for field in merged.fields.values():
            if field.inaccessible:
                if merged.kind == "input" and _is_required(field.type, field.default):
                    _required(f"{merged.name}.{field.name}", "input field", diagnostics)
                continue
            coordinate = f"{merged.name}.{field.name}"
            _check_reference(field.type, coordinate, hidden, diagnostics)
            for argument in field.arguments.values():
                argument_coordinate = f"{coordinate}({argument.name}:)"
                if argument.inaccessible:
                    if _is_required(argument.type, argument.default):
                        _required(argument_coordinate, "argument", diagnostics)
                    continue
                _check_reference(argument.type, argument_coordinate, hidden, diagnostics)


def _check_children(merged: MergedType, hidden: set[str], diagnostics: Diagnostics) -> None:
    if merged.kind in ("object", "interface", "input"):
        children = [not field.inaccessible for field in merged.fields.values()]
        noun = "input fields" if merged.kind == "input" else "fields"
    elif merged.kind == "enum":
        children = [not value.inaccessible for value in merged.values.values()]
        noun = "values"
    elif merged.kind == "union":
        children = [member not in hidden for member in merged.members]
        noun = "members"
    else:
        return
    if children and not any(children):
        diagnostics.error(
            "ONLY_INACCESSIBLE_CHILDREN",
            f'Type "{merged.name}" is in the API schema but all of its {noun} are @inaccessible. '
            f"Make at least one of them accessible, or mark the type @inaccessible too.",
            coordinate=merged.name,
        )


def _check_reference(
    type_reference: str, coordinate: str, hidden: set[str], diagnostics: Diagnostics
) -> None:
    named = type_reference.strip("[]!")
    if named in hidden:
        diagnostics.error(
            "REFERENCED_INACCESSIBLE",
            f'Type "{named}" is @inaccessible but is referenced by "{coordinate}", which is in '
            f'the API schema. Mark "{coordinate}" @inaccessible as well, or make "{named}" '
            "accessible.",
            coordinate=coordinate,
        )


def _is_required(type_reference: str, default: object) -> bool:
    return type_reference.endswith("!") and default is None


def _required(coordinate: str, kind: str, diagnostics: Diagnostics) -> None:
    diagnostics.error(
        "REQUIRED_INACCESSIBLE",
        f'{kind.capitalize()} "{coordinate}" is @inaccessible but is required: clients could not '
        "send it. Make it optional (nullable or with a default) or accessible.",
        coordinate=coordinate,
    )
