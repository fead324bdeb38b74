"""Compile shaping instructions into Python functions specialised for one operation.

The generated code does exactly what ``Shaper.object`` interprets (tests hold the two
together) without looking at instructions at run time: field names, nullability and list
depths become constants and branches of straight-line code.

Each operation gets two versions. The fast one builds each object as one dict literal and
tracks no response path: it serves every response that needs no error (no null in a non-null
position, no enum value the API lacks), by far the usual case, and gives up (``NeedsErrors``)
at the first thing that would need one. The response is then shaped again from the start by
the tracking version, which records errors at their paths and bubbles nulls. Operations with
fields or fragments authorization removed always use the tracking version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from router.executor.shape import (
    COMPOSITE,
    DENIED,
    DENIED_TYPE,
    INVALID,
    LEAF,
    RAW,
    TYPENAME,
    ShapeField,
    Shaper,
    ShapeSelection,
)

ShapeFunction = Callable[[dict[str, Any], list[str | int], Shaper], Any]


class _CodeGenerator:
    """What both generators share: unique names, and one function per selection (a type table
    for abstract selections). ``PARAMETERS``: the generated functions' parameters."""

    PARAMETERS: ClassVar[str]

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[int, str] = {}
        self.constants: dict[str, Any] = {}
        self.counter = 0

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def selection(self, selection: ShapeSelection) -> str:
        known = self.names.get(id(selection))
        if known is not None:
            return known
        name = self._name("select")
        self.names[id(selection)] = name
        if selection.static_type is not None:
            body = self._object(selection.static_type, selection.by_type[selection.static_type])
            self.lines.append(f"{name} = {body}")
            return name
        table = {
            typename: self._object(typename, fields)
            for typename, fields in selection.by_type.items()
        }
        table_name = self._name("table")
        entries = ", ".join(f"{typename!r}: {function}" for typename, function in table.items())
        self.lines += [
            f"{table_name} = {{{entries}}}",
            f"def {name}({self.PARAMETERS}):",
            f"    f = {table_name}.get(v.get('__typename'))",
            f"    return None if f is None else f({self.PARAMETERS})",
        ]
        return name

    def _object(self, typename: str, fields: tuple[ShapeField, ...]) -> str:
        raise NotImplementedError


class _Generator(_CodeGenerator):
    PARAMETERS = "v, p, sh"

    def _object(self, typename: str, fields: tuple[ShapeField, ...]) -> str:
        children = {
            id(field): self._value_function(field)
            for field in fields
            if field.kind not in (TYPENAME, DENIED, DENIED_TYPE)
        }
        name = self._name("object")
        code = [f"def {name}(v, p, sh):", "    r = {}"]
        for field in fields:
            key = repr(field.response_key)
            if field.kind == TYPENAME:
                code.append(f"    r[{key}] = {typename!r}")
                continue
            if field.kind in (DENIED, DENIED_TYPE):
                constant = self._name("denied")
                self.constants[constant] = field
                if field.kind == DENIED_TYPE:
                    code.append(f"    sh.deny({constant}_constant)")
                    continue
                code += [
                    f"    p.append({key})",
                    f"    sh.deny({constant}_constant)",
                    "    p.pop()",
                    "    return INVALID" if field.non_null else f"    r[{key}] = None",
                ]
                continue
            code.append(f"    x = v.get({field.storage_key!r})")
            if field.kind == RAW:
                code.append(f"    r[{key}] = x")
                continue
            if field.kind == LEAF and not field.item_non_null and field.enum_values is None:
                code += [
                    "    if x is None:",
                    *self._null(field, key, "        "),
                    f"    r[{key}] = x",
                ]
                continue
            code += [
                "    if x is None:",
                "        y = None",
                "    else:",
                f"        p.append({key})",
                f"        y = {children[id(field)]}(x, p, sh)",
                "        p.pop()",
                "    if y is None or y is INVALID:",
            ]
            if field.non_null:
                code += [
                    "        if y is None:",
                    f"            p.append({key})",
                    f"            sh.null_error({field.coordinate!r})",
                    "            p.pop()",
                    "        return INVALID",
                ]
            else:
                code.append("        y = None")
            code.append(f"    r[{key}] = y")
        code.append("    return r")
        self.lines += code
        return name

    def _null(self, field: ShapeField, key: str, indent: str) -> list[str]:
        if not field.non_null:
            return [f"{indent}pass"]
        return [
            f"{indent}p.append({key})",
            f"{indent}sh.null_error({field.coordinate!r})",
            f"{indent}p.pop()",
            f"{indent}return INVALID",
        ]

    def _value_function(self, field: ShapeField) -> str | None:
        """The function shaping a non-null raw value of a composite or list field."""
        enum = field.enum_values is not None
        if field.kind == RAW or (field.kind == LEAF and not field.item_non_null and not enum):
            return None
        inner = self.selection(field.selection) if field.kind == COMPOSITE else None  # type: ignore[arg-type]
        if enum:
            inner = self._name("enum")
            self.constants[inner] = field
            self.lines += [
                f"def {inner}(x, p, sh):",
                f"    return {inner}_constant.enum_value(x, sh)",
            ]
            if not field.item_non_null:
                return inner
        elif not field.item_non_null:
            name = self._name("composite")
            self.lines += [
                f"def {name}(x, p, sh):",
                f"    return {inner}(x, p, sh) if x.__class__ is dict else None",
            ]
            return name
        return self._list_function(field, 0, inner)

    def _list_function(self, field: ShapeField, level: int, inner: str | None) -> str:
        nested = (
            self._list_function(field, level + 1, inner)
            if level + 1 < len(field.item_non_null)
            else None
        )
        name = self._name("items")
        if nested is not None:
            element = f"{nested}(e, p, sh)"
        elif inner is not None and field.enum_values is not None:
            element = f"{inner}(e, p, sh)"
        elif inner is not None:
            element = f"{inner}(e, p, sh) if e.__class__ is dict else None"
        else:
            element = "e"
        code = [
            f"def {name}(x, p, sh):",
            "    if x.__class__ is not list:",
            "        return None",
            "    out = []",
            "    for i, e in enumerate(x):",
            "        if e is None:",
            "            y = None",
            "        else:",
            "            p.append(i)",
            f"            y = {element}",
            "            p.pop()",
            "        if y is None or y is INVALID:",
        ]
        if field.item_non_null[level]:
            code += [
                "            if y is None:",
                "                p.append(i)",
                f"                sh.null_error({field.coordinate!r})",
                "                p.pop()",
                "            return INVALID",
            ]
        else:
            code.append("            y = None")
        code += ["        out.append(y)", "    return out"]
        self.lines += code
        return name


def compile_shape(selection: ShapeSelection) -> ShapeFunction:
    """A function ``(data, path, shaper) -> shaped data | None | INVALID``."""
    tracking = compile_tracking_shape(selection)
    fast = compile_fast_shape(selection)
    if fast is None:
        return tracking

    def shape(data: dict[str, Any], path: list[str | int], shaper: Shaper) -> Any:
        try:
            return fast(data)
        except NeedsErrors:
            return tracking(data, path, shaper)

    return shape


def compile_tracking_shape(selection: ShapeSelection) -> ShapeFunction:
    """The version that tracks the response path: errors at their paths, nulls bubbled."""
    generator = _Generator()
    entry = generator.selection(selection)
    namespace: dict[str, Any] = {"INVALID": INVALID}
    namespace.update({f"{name}_constant": field for name, field in generator.constants.items()})
    exec("\n".join(generator.lines), namespace)
    function: ShapeFunction = namespace[entry]
    return function


class NeedsErrors(Exception):
    """The fast version met something that needs an error: shape with the tracking one."""


class _Denied(Exception):
    """Authorization removed a field or fragment: no fast version."""


def _slow() -> Any:
    raise NeedsErrors


FastShapeFunction = Callable[[dict[str, Any]], Any]


def compile_fast_shape(selection: ShapeSelection) -> FastShapeFunction | None:
    """A function ``data -> shaped data`` that raises ``NeedsErrors`` where the response
    needs an error; None when the operation has fields or fragments authorization removed."""
    generator = _FastGenerator()
    try:
        entry = generator.selection(selection)
    except _Denied:
        return None
    function: FastShapeFunction = _fast_namespace(generator)[entry]
    return function


def _fast_namespace(generator: _FastGenerator) -> dict[str, Any]:
    """The fast version's generated functions, by name."""
    namespace: dict[str, Any] = {"slow": _slow}
    namespace.update(generator.constants)
    exec("\n".join(generator.lines), namespace)
    return namespace


class _FastGenerator(_CodeGenerator):
    """Functions ``f(value) -> shaped`` (``None``: the value shapes to null; the caller decides
    whether that is allowed), one dict literal per object, no path, no shaper."""

    PARAMETERS = "v"

    def _object(self, typename: str, fields: tuple[ShapeField, ...]) -> str:
        statements: list[str] = []
        entries: list[str] = []
        for position, field in enumerate(fields):
            entries.append(self._entry(typename, position, field, statements))
        name = self._name("object")
        self.lines += [
            f"def {name}(v):",
            *statements,
            "    return {" + ", ".join(entries) + "}",
        ]
        return name

    def _entry(self, typename: str, position: int, field: ShapeField, statements: list[str]) -> str:
        """The dict literal entry of ``field`` (its value read into ``x<position>`` by
        statements added to ``statements`` where it takes more than an expression)."""
        key = repr(field.response_key)
        if field.kind in (DENIED, DENIED_TYPE):
            raise _Denied
        if field.kind == TYPENAME:
            return f"{key}: {typename!r}"
        read = f"v.get({field.storage_key!r})"
        shape = self._value(field)
        if shape is None and (field.kind == RAW or not field.non_null):
            return f"{key}: {read}"
        variable = f"x{position}"
        statements.append(f"    {variable} = {read}")
        if shape is not None:
            statements.append(
                f"    {variable} = None if {variable} is None else {shape.format(variable)}"
            )
        if field.non_null:
            statements += [f"    if {variable} is None:", "        slow()"]
        return f"{key}: {variable}"

    def _value(self, field: ShapeField) -> str | None:
        """How a non-null raw value of ``field`` shapes (a format string of the value's
        expression); None: as it is."""
        if field.kind == RAW:
            return None
        inner = self._inner(field)
        if not field.item_non_null:
            return inner
        return self._list_function(field, 0, inner) + "({})"

    def _inner(self, field: ShapeField) -> str | None:
        """How a non-null raw value of the field's named type shapes."""
        if field.kind == COMPOSITE:
            function = self.selection(field.selection)  # type: ignore[arg-type]
            return f"({function}({{0}}) if {{0}}.__class__ is dict else None)"
        if field.enum_values is not None:
            values = self._name("values")
            self.constants[values] = field.enum_values
            return f"({{0}} if {{0}} in {values} else slow())"
        return None

    def _list_function(self, field: ShapeField, level: int, inner: str | None) -> str:
        if level + 1 < len(field.item_non_null):
            element = self._list_function(field, level + 1, inner) + "(e)"
        elif inner is not None:
            element = inner.format("e")
        else:
            element = "e"
        name = self._name("items")
        code = [
            f"def {name}(x):",
            "    if x.__class__ is not list:",
            "        return None",
        ]
        # A list of plain leaves shapes to a copy of itself.
        shaped = "x.copy()" if element == "e" else f"[None if e is None else {element} for e in x]"
        if field.item_non_null[level]:
            code += [f"    out = {shaped}", "    if None in out:", "        slow()"]
            shaped = "out"
        code.append(f"    return {shaped}")
        self.lines += code
        return name


FieldValueFunction = Callable[[dict[str, Any]], Any]


def _field_value_function(generator: _FastGenerator, field: ShapeField) -> str:
    """Generates ``def <name>(v)``: the field's shaped value read off its parent object, as
    the fast version shapes it (raising ``NeedsErrors`` where it would)."""
    name = generator._name("field")
    shape = generator._value(field)
    code = [f"def {name}(v):", f"    x = v.get({field.storage_key!r})"]
    if shape is not None:
        code.append(f"    x = None if x is None else {shape.format('x')}")
    if field.non_null and field.kind != RAW:  # as ``_FastGenerator._object``
        code += ["    if x is None:", "        slow()"]
    generator.lines += [*code, "    return x"]
    return name


def compile_fast_field_values(
    fields: tuple[ShapeField, ...],
) -> tuple[FieldValueFunction | None, ...] | None:
    """For each field, a function ``parent object -> the field's shaped value`` that does what
    the fast version does for that field of its parent (raising ``NeedsErrors`` where it
    would); None for ``__typename`` fields. None when a field was removed by authorization."""
    generator = _FastGenerator()
    names: list[str | None] = []
    try:
        for field in fields:
            if field.kind in (DENIED, DENIED_TYPE):
                raise _Denied
            names.append(
                None if field.kind == TYPENAME else _field_value_function(generator, field)
            )
    except _Denied:
        return None
    namespace = _fast_namespace(generator)
    return tuple(None if name is None else namespace[name] for name in names)


# A hole left in a shaped object: the object, the field's response key, the raw parent object
# and the function shaping the field off it once the fetch writing into it has been merged.
Hole = tuple[dict[str, Any], str, dict[str, Any], FieldValueFunction]
# Where the holes of one field's value are, by field storage key below it: a slot number (the
# field is a hole, its holes go to that slot) or the holes further down.
HoleTree = dict[str, "int | HoleTree"]
HoledValueFunction = Callable[[dict[str, Any], list[list[Hole]]], Any]


def compile_holed_field_value(field: ShapeField, holes: HoleTree) -> HoledValueFunction | None:
    """A function ``(parent object, slots) -> the field's shaped value`` with the fields of
    ``holes`` left None, each noted in its slot to be shaped later; None when a field on the
    way was removed by authorization or is of an abstract type."""
    generator = _HoledGenerator()
    try:
        name = generator.holed_field(field, holes)
    except _Denied:
        return None
    function: HoledValueFunction = _fast_namespace(generator)[name]
    return function


class _HoledGenerator(_FastGenerator):
    """The fast version along the paths to holes: functions ``f(value, H)`` that put each
    hole in ``H[slot]``; elsewhere the fast version's own functions."""

    def holed_field(self, field: ShapeField, holes: HoleTree) -> str:
        name = self._name("holed")
        shape = self._holed_value(field, holes)
        code = [f"def {name}(v, H):", f"    x = v.get({field.storage_key!r})"]
        code.append(f"    x = None if x is None else {shape.format('x')}")
        if field.non_null:
            code += ["    if x is None:", "        slow()"]
        self.lines += [*code, "    return x"]
        return name

    def _holed_value(self, field: ShapeField, holes: HoleTree) -> str:
        selection = field.selection
        if field.kind != COMPOSITE or selection is None or selection.static_type is None:
            raise _Denied  # holes only below object fields of one concrete type
        typename = selection.static_type
        function = self._holed_object(typename, selection.by_type[typename], holes)
        inner = f"({function}({{0}}, H) if {{0}}.__class__ is dict else None)"
        if not field.item_non_null:
            return inner
        return self._holed_list_function(field, 0, inner) + "({}, H)"

    def _holed_object(self, typename: str, fields: tuple[ShapeField, ...], holes: HoleTree) -> str:
        statements: list[str] = []
        entries: list[str] = []
        noted: list[str] = []
        for position, field in enumerate(fields):
            below = holes.get(field.storage_key) if field.kind == COMPOSITE else None
            if below is None:
                entries.append(self._entry(typename, position, field, statements))
                continue
            key = repr(field.response_key)
            if isinstance(below, int):
                fill = _field_value_function(self, field)
                entries.append(f"{key}: None")
                noted.append(f"    H[{below}].append((r, {key}, v, {fill}))")
                continue
            variable = f"x{position}"
            shape = self._holed_value(field, below)
            statements += [
                f"    {variable} = v.get({field.storage_key!r})",
                f"    {variable} = None if {variable} is None else {shape.format(variable)}",
            ]
            if field.non_null:
                statements += [f"    if {variable} is None:", "        slow()"]
            entries.append(f"{key}: {variable}")
        name = self._name("object")
        self.lines += [
            f"def {name}(v, H):",
            *statements,
            "    r = {" + ", ".join(entries) + "}",
            *noted,
            "    return r",
        ]
        return name

    def _holed_list_function(self, field: ShapeField, level: int, inner: str) -> str:
        if level + 1 < len(field.item_non_null):
            element = self._holed_list_function(field, level + 1, inner) + "(e, H)"
        else:
            element = inner.format("e")
        name = self._name("items")
        code = [
            f"def {name}(x, H):",
            "    if x.__class__ is not list:",
            "        return None",
            f"    out = [None if e is None else {element} for e in x]",
        ]
        if field.item_non_null[level]:
            code += ["    if None in out:", "        slow()"]
        self.lines += [*code, "    return out"]
        return name
