"""Shape the merged subgraph data into the client's response.

Shaping instructions are compiled once per planned variant: for every selection set, the
fields each possible object type answers, in request order, with response and storage keys and
nullability. At run time shaping is a walk over the data with those instructions: only the
requested fields, ``__typename`` resolved, and nulls in non-null positions bubbled up to the
nearest nullable parent with an error at the path where the null appeared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_composite_type,
)

from router.auth.authorize import Denial, DeniedField, DeniedFragment
from router.operation.normalise import INTROSPECTION_ROOT_FIELDS, Field, Fragment, Selection
from router.planner.context import PlanningContext

# DENIED: a field authorization removed (null, with its error); DENIED_TYPE: no key, an error
# at the object's path (a fragment on a type the caller may not see).
LEAF, COMPOSITE, TYPENAME, RAW, DENIED, DENIED_TYPE = range(6)


class ShapeField:
    __slots__ = (
        "coordinate",
        "denial",
        "enum_name",
        "enum_values",
        "item_non_null",
        "kind",
        "non_null",
        "response_key",
        "selection",
        "storage_key",
    )

    def __init__(
        self,
        response_key: str,
        storage_key: str,
        kind: int,
        non_null: bool,
        item_non_null: tuple[bool, ...],
        selection: ShapeSelection | None,
        coordinate: str,
        enum: GraphQLEnumType | None = None,
        denial: Denial | None = None,
    ) -> None:
        self.denial = denial
        self.response_key = response_key
        self.storage_key = storage_key
        self.kind = kind
        self.non_null = non_null
        self.item_non_null = item_non_null  # one flag per list level, outermost first
        self.selection = selection
        self.coordinate = coordinate
        # For enum fields: the values the API has (a subgraph may answer an @inaccessible one).
        self.enum_values = None if enum is None else frozenset(enum.values)
        self.enum_name = None if enum is None else enum.name

    def enum_value(self, raw: Any, shaper: Shaper) -> Any:
        if raw in self.enum_values:  # type: ignore[operator]
            return raw
        return shaper.bad_enum(self.enum_name, raw)


class ShapeSelection:
    __slots__ = ("by_type", "static_type")

    def __init__(self, static_type: str | None, by_type: dict[str, tuple[ShapeField, ...]]) -> None:
        self.static_type = static_type  # set for object types: no __typename needed
        self.by_type = by_type


class ShapeCompiler:
    def __init__(self, schema: GraphQLSchema, context: PlanningContext) -> None:
        self.schema = schema
        self.context = context

    def compile(self, type_name: str, items: list[Selection]) -> ShapeSelection:
        named = self.schema.type_map[type_name]
        if isinstance(named, GraphQLObjectType):
            return ShapeSelection(type_name, {type_name: self._fields(named, items)})
        by_type = {
            possible.name: self._fields(possible, items)
            for possible in self.schema.get_possible_types(named)  # type: ignore[arg-type]
        }
        if isinstance(named, GraphQLInterfaceType):
            # Objects from an @interfaceObject are typed as the interface itself.
            by_type[named.name] = self._fields(named, items)
        return ShapeSelection(None, by_type)

    def _collect(
        self,
        object_type: str,
        items: list[Selection],
        into: dict[str, tuple[Field, list[Selection]]],
    ) -> None:
        for item in items:
            if isinstance(item, DeniedFragment):
                if self._applies(item.type_condition, object_type):
                    into.setdefault(f"\0{item.type_condition}", (item, []))  # type: ignore[arg-type]
                continue
            if isinstance(item, Fragment):
                if self._applies(item.type_condition, object_type):
                    self._collect(object_type, list(item.selections), into)
                continue
            entry = into.get(item.response_key)
            if entry is None:
                entry = (item, [])
                into[item.response_key] = entry
            if item.selections:
                entry[1].extend(item.selections)

    def _applies(self, type_condition: str, object_type: str) -> bool:
        if type_condition == object_type:
            return True
        condition = self.schema.type_map.get(type_condition)
        target = self.schema.type_map[object_type]
        if condition is None or isinstance(condition, GraphQLObjectType):
            return False
        return self.schema.is_sub_type(condition, target)  # type: ignore[arg-type]

    def _fields(
        self, object_type: GraphQLObjectType | GraphQLInterfaceType, items: list[Selection]
    ) -> tuple[ShapeField, ...]:
        collected: dict[str, tuple[Field, list[Selection]]] = {}
        self._collect(object_type.name, items, collected)
        fields: list[ShapeField] = []
        for key, (field, children) in collected.items():
            if isinstance(field, DeniedFragment):
                fields.append(
                    ShapeField("", "", DENIED_TYPE, False, (), None, "", denial=field.denial)
                )
                continue
            coordinate = f"{object_type.name}.{field.name}"
            if isinstance(field, DeniedField):
                non_null = isinstance(object_type.fields[field.name].type, GraphQLNonNull)
                fields.append(
                    ShapeField(
                        key, key, DENIED, non_null, (), None, coordinate, denial=field.denial
                    )
                )
                continue
            if field.is_typename:
                fields.append(ShapeField(key, key, TYPENAME, True, (), None, coordinate))
                continue
            if field.name in INTROSPECTION_ROOT_FIELDS:
                fields.append(ShapeField(key, key, RAW, False, (), None, coordinate))
                continue
            field_type: GraphQLOutputType = object_type.fields[field.name].type
            non_null = isinstance(field_type, GraphQLNonNull)
            if isinstance(field_type, GraphQLNonNull):
                field_type = field_type.of_type
            item_flags: list[bool] = []
            while isinstance(field_type, GraphQLList):
                inner = field_type.of_type
                item_flags.append(isinstance(inner, GraphQLNonNull))
                field_type = inner.of_type if isinstance(inner, GraphQLNonNull) else inner
            storage = self.context.storage_key(field)
            enum = field_type if isinstance(field_type, GraphQLEnumType) else None
            if is_composite_type(field_type):
                child = self.compile(field_type.name, children)
                kind = COMPOSITE
            else:
                child, kind = None, LEAF
            fields.append(
                ShapeField(key, storage, kind, non_null, tuple(item_flags), child, coordinate, enum)
            )
        return tuple(fields)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode() if isinstance(value, str | int | float | bool) else "?"


class _Invalid:
    """A null in a non-null position, still bubbling up."""


INVALID = _Invalid()


class Shaper:
    """Runs compiled shaping instructions over merged data for one response."""

    __slots__ = ("errors", "explained", "path")

    def __init__(
        self, errors: list[dict[str, Any]], explained: list[list[str | int]] | None = None
    ) -> None:
        self.errors = errors
        self.explained = explained or []
        self.path: list[str | int] = []

    def shape_root(self, data: dict[str, Any], selection: ShapeSelection) -> dict[str, Any] | None:
        result = self.object(data, selection)
        return None if result is INVALID else result

    def run_compiled(
        self,
        data: dict[str, Any],
        function: Callable[[dict[str, Any], list[str | int], Shaper], Any],
    ) -> dict[str, Any] | None:
        result = function(data, self.path, self)
        return None if result is INVALID else result

    def null_error(self, coordinate: str) -> None:
        path = list(self.path)
        if any(path[: len(known)] == known for known in self.explained):
            return
        for error in self.errors:
            existing = error.get("path")
            if existing is None:
                # A failed fetch or a pathless subgraph error already explains missing data.
                if "serviceName" in error.get("extensions", {}):
                    return
            elif existing[: len(path)] == path or path[: len(existing)] == existing:
                return
        self.errors.append(
            {
                "message": f"Cannot return null for non-nullable field {coordinate}.",
                "path": path,
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        )

    def deny(self, field: ShapeField) -> None:
        """An authorization error at the current path (the field or object it removed)."""
        denial = field.denial
        assert denial is not None
        self.errors.append(
            {
                "message": denial.message,
                "path": list(self.path),
                "extensions": {"code": denial.code},
            }
        )

    def bad_enum(self, enum_name: str | None, raw: Any) -> None:
        """A value the API's enum does not have (an @inaccessible one, say): null, with an
        error at its path."""
        self.errors.append(
            {
                "message": f'Enum "{enum_name}" cannot represent value: {_json(raw)}',
                "path": list(self.path),
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        )

    def object(self, value: dict[str, Any], selection: ShapeSelection) -> Any:
        typename = selection.static_type or value.get("__typename")
        fields = selection.by_type.get(typename)  # type: ignore[arg-type]
        if fields is None:
            return None
        result: dict[str, Any] = {}
        path = self.path
        for field in fields:
            kind = field.kind
            if kind == TYPENAME:
                result[field.response_key] = typename
                continue
            if kind == DENIED_TYPE:
                self.deny(field)
                continue
            if kind == DENIED:
                path.append(field.response_key)
                self.deny(field)
                path.pop()
                if field.non_null:
                    return INVALID
                result[field.response_key] = None
                continue
            raw = value.get(field.storage_key)
            if kind == RAW:
                result[field.response_key] = raw
                continue
            path.append(field.response_key)
            if raw is None:
                shaped = None
            elif field.item_non_null:
                shaped = self._list(raw, field, 0)
            elif kind == LEAF:
                shaped = raw if field.enum_values is None else field.enum_value(raw, self)
            elif isinstance(raw, dict):
                shaped = self.object(raw, field.selection)  # type: ignore[arg-type]
            else:
                shaped = None
            if shaped is None or shaped is INVALID:
                if field.non_null:
                    if shaped is None:
                        self.null_error(field.coordinate)
                    path.pop()
                    return INVALID
                shaped = None
            path.pop()
            result[field.response_key] = shaped
        return result

    def _list(self, raw: Any, field: ShapeField, level: int) -> Any:
        if not isinstance(raw, list):
            return None
        item_non_null = field.item_non_null[level]
        nested = level + 1 < len(field.item_non_null)
        path = self.path
        items: list[Any] = []
        for index, element in enumerate(raw):
            path.append(index)
            if element is None:
                shaped = None
            elif nested:
                shaped = self._list(element, field, level + 1)
            elif field.kind == LEAF:
                shaped = element if field.enum_values is None else field.enum_value(element, self)
            elif isinstance(element, dict):
                shaped = self.object(element, field.selection)  # type: ignore[arg-type]
            else:
                shaped = None
            if shaped is None or shaped is INVALID:
                if item_non_null:
                    if shaped is None:
                        self.null_error(field.coordinate)
                    path.pop()
                    return INVALID
                shaped = None
            path.pop()
            items.append(shaped)
        return items
