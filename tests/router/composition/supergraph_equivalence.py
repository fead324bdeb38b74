"""Compare two supergraph SDLs type by type, ignoring order and link/join boilerplate."""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphql import parse, print_ast
from graphql.language import ast

from router.composition import SubgraphSource

REPO_ROOT = Path(__file__).resolve().parents[3]
COMPOSE_SCRIPT = REPO_ROOT / "tools" / "node" / "compose.mjs"


def apollo_compose(subgraphs: Sequence[SubgraphSource]) -> tuple[str | None, list[str]]:
    """Compose with @apollo/composition: (supergraph SDL, []) or (None, ["CODE: message"])."""
    supergraph, errors = _apollo_compose(tuple(subgraphs))
    return supergraph, list(errors)


@functools.cache
def _apollo_compose(subgraphs: tuple[SubgraphSource, ...]) -> tuple[str | None, tuple[str, ...]]:
    with tempfile.TemporaryDirectory() as directory:
        arguments = []
        for source in subgraphs:
            path = Path(directory) / f"{source.name}.graphql"
            path.write_text(source.sdl)
            arguments.append(f"{source.name}={source.url}={path}")
        completed = subprocess.run(
            ["node", str(COMPOSE_SCRIPT), *arguments],
            capture_output=True,
            text=True,
            check=False,
            cwd=COMPOSE_SCRIPT.parent,
        )
    if completed.returncode != 0:
        errors = [line for line in completed.stdout.splitlines() if line.strip()]
        if not errors and "Syntax Error" in completed.stderr:
            # compose.mjs parses each SDL before composing: graphql-js threw on this one.
            errors = ["INVALID_GRAPHQL: " + completed.stderr.strip().splitlines()[-1]]
        return None, tuple(errors)
    return completed.stdout, ()


def whole_messages(lines: list[str]) -> list[str]:
    """apollo_compose returns one line per output line: join multi-line messages back."""
    messages: list[str] = []
    for line in lines:
        if re.match(r"^[A-Z_]+: ", line) or not messages:
            messages.append(line)
        else:
            messages[-1] += "\n" + line
    return messages


def supergraph_shape(sdl: str) -> dict[str, Any]:
    """Everything that matters in a supergraph, as order-insensitive comparable values."""
    document = parse(sdl)
    shape: dict[str, Any] = {}
    for definition in document.definitions:
        if isinstance(definition, ast.SchemaDefinitionNode):
            shape["schema"] = sorted(
                (op.operation.value, op.type.name.value) for op in definition.operation_types
            )
            continue
        if isinstance(definition, ast.DirectiveDefinitionNode):
            continue
        name = definition.name.value  # type: ignore[attr-defined]
        if name.startswith("link__") or (name.startswith("join__") and name != "join__Graph"):
            continue
        shape[name] = _type_shape(definition)
    return shape


def _directives(nodes: Sequence[ast.DirectiveNode] | None) -> Counter[str]:
    printed: Counter[str] = Counter()
    for node in nodes or ():
        arguments = sorted(node.arguments or (), key=lambda argument: argument.name.value)
        printed[
            f"@{node.name.value}("
            + ", ".join(f"{a.name.value}: {print_ast(a.value)}" for a in arguments)
            + ")"
        ] += 1
    return printed


def _arguments(nodes: Sequence[ast.InputValueDefinitionNode] | None) -> dict[str, Any]:
    return {
        node.name.value: (
            print_ast(node.type),
            print_ast(node.default_value) if node.default_value else None,
            _directives(node.directives),
        )
        for node in nodes or ()
    }


def _type_shape(definition: Any) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "kind": type(definition).__name__,
        "directives": _directives(definition.directives),
        "description": definition.description.value if definition.description else None,
    }
    if hasattr(definition, "interfaces"):
        shape["interfaces"] = sorted(i.name.value for i in definition.interfaces or ())
    if isinstance(definition, ast.UnionTypeDefinitionNode):
        shape["members"] = sorted(t.name.value for t in definition.types or ())
    if isinstance(definition, ast.EnumTypeDefinitionNode):
        shape["values"] = {
            value.name.value: _directives(value.directives) for value in definition.values or ()
        }
    if isinstance(definition, ast.InputObjectTypeDefinitionNode):
        shape["fields"] = _arguments(definition.fields)
    elif hasattr(definition, "fields"):
        shape["fields"] = {
            field.name.value: (
                print_ast(field.type),
                _arguments(field.arguments),
                _directives(field.directives),
                field.description.value if field.description else None,
            )
            for field in definition.fields or ()
        }
    return shape


def assert_equivalent(ours: str, reference: str) -> None:
    our_shape, reference_shape = supergraph_shape(ours), supergraph_shape(reference)
    differences = [
        f"{name}:\n  ours:      {our_shape.get(name)}\n  reference: {reference_shape.get(name)}"
        for name in sorted(set(our_shape) | set(reference_shape))
        if our_shape.get(name) != reference_shape.get(name)
    ]
    assert not differences, "supergraphs differ:\n" + "\n".join(differences)
