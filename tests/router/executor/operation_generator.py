"""Random valid operations over a schema: nested selections, aliases (also ones that shadow
key or @requires fields), duplicates with and without @skip/@include, inline and named
fragments, __typename, variables with and without defaults."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_required_argument,
    parse,
    validate,
)

Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
CONDITIONS = ("true", "false", "$yes", "$no", "$maybe")
VARIABLES = {
    "yes": "$yes: Boolean!",
    "no": "$no: Boolean!",
    "maybe": "$maybe: Boolean = true",
    "count": "$count: Int = 2",
}


@dataclass
class _Document:
    fragments: dict[str, str] = field(default_factory=dict)


class OperationGenerator:
    def __init__(
        self, schema: GraphQLSchema, arguments: dict[str, list[str]], seed: int, max_depth: int = 4
    ) -> None:
        self.schema = schema
        self.arguments = arguments  # "Type.field" -> candidate argument strings
        self.random = random.Random(seed)
        self.max_depth = max_depth
        self.alias_pool = sorted(
            {
                name
                for named in schema.type_map.values()
                if isinstance(named, GraphQLObjectType) and not named.name.startswith("__")
                for name in named.fields
            }
        )

    def operation(self) -> tuple[str, dict[str, bool]]:
        """A document that validates against the schema, and values for its variables."""
        while True:
            document = _Document()
            root = self.schema.query_type
            assert root is not None
            body = self._selection_set(root, depth=0, document=document)
            rest = f" {body}\n" + "\n".join(document.fragments.values())
            used = [text for name, text in VARIABLES.items() if f"${name}" in rest]
            text = "query Generated" + (f"({', '.join(used)})" if used else "") + rest
            if not validate(self.schema, parse(text)):
                variables = {"yes": True, "no": False}
                variables = {k: v for k, v in variables.items() if f"${k}" in rest}
                if "$maybe" in rest and self.random.random() < 0.5:
                    variables["maybe"] = self.random.random() < 0.5
                return text, variables

    def _selection_set(self, parent: Composite, depth: int, document: _Document) -> str:
        items = [self._selection(parent, depth, document) for _ in range(self.random.randint(1, 4))]
        return "{ " + " ".join(items) + " }"

    def _condition(self) -> str:
        roll = self.random.random()
        if roll < 0.7:
            return ""
        directive = "skip" if roll < 0.85 else "include"
        return f" @{directive}(if: {self.random.choice(CONDITIONS)})"

    def _narrowing(self, parent: Composite) -> Composite:
        """The parent itself, or (for abstract types) a possible type or another interface."""
        if isinstance(parent, GraphQLObjectType) or self.random.random() < 0.3:
            return parent
        possible = list(self.schema.get_possible_types(parent))
        chosen = self.random.choice(possible)
        if chosen.interfaces and self.random.random() < 0.3:
            return self.random.choice(chosen.interfaces)
        return chosen

    def _selection(self, parent: Composite, depth: int, document: _Document) -> str:
        roll = self.random.random()
        abstract = not isinstance(parent, GraphQLObjectType)
        if roll < 0.08 or (isinstance(parent, GraphQLUnionType) and roll < 0.2):
            return "__typename" + self._condition()
        if (roll < 0.16 or (abstract and roll < 0.6)) and depth < self.max_depth:
            narrowed = self._narrowing(parent)
            inner = self._selection_set(narrowed, depth + 1, document)
            on = (
                f" on {narrowed.name}"
                if narrowed is not parent or self.random.random() < 0.5
                else ""
            )
            return f"...{on}{self._condition()} {inner}"
        if isinstance(parent, GraphQLUnionType):
            return "__typename"
        if roll < 0.22 and depth < self.max_depth:
            name = f"F{len(document.fragments)}"
            document.fragments[name] = "placeholder"
            inner = self._selection_set(parent, depth + 1, document)
            document.fragments[name] = f"fragment {name} on {parent.name} {inner}"
            return f"...{name}{self._condition()}"
        return self._field(parent, depth, document)

    def _field(
        self, parent: GraphQLObjectType | GraphQLInterfaceType, depth: int, document: _Document
    ) -> str:
        names = list(parent.fields)
        if depth >= self.max_depth:
            names = [n for n in names if is_leaf_type(get_named_type(parent.fields[n].type))]
        if not names:
            return "__typename"
        name = self.random.choice(names)
        definition = parent.fields[name]
        text = name
        choices = self.arguments.get(f"{parent.name}.{name}")
        if choices:
            text += self.random.choice(choices)
        elif any(is_required_argument(argument) for argument in definition.args.values()):
            return "__typename"
        if self.random.random() < 0.25:
            text = f"{self.random.choice(self.alias_pool)}: {text}"
        text += self._condition()
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            text += " " + self._selection_set(named, depth + 1, document)
        return text
