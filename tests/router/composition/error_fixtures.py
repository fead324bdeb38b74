"""One small broken composition per error class, with what its message must name."""

from __future__ import annotations

from dataclasses import dataclass

from router.composition import SubgraphSource

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
    ' import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)


@dataclass(frozen=True)
class ErrorCase:
    sources: tuple[SubgraphSource, ...]
    code: str
    # Words the message must contain: the subgraph(s), type and field concerned.
    mentions: tuple[str, ...]
    coordinate: str | None = None


def _sources(*sdls: tuple[str, str]) -> tuple[SubgraphSource, ...]:
    return tuple(
        SubgraphSource(name, f"http://127.0.0.1:{4401 + index}/graphql", sdl)
        for index, (name, sdl) in enumerate(sdls)
    )


ERROR_CASES: dict[str, ErrorCase] = {
    "unparsable_sdl": ErrorCase(
        _sources(("good", LINK + "type Query { a: Int }"), ("broken", "type Query { a: Int")),
        "INVALID_GRAPHQL",
        ('"broken"',),
    ),
    "unknown_type_reference": ErrorCase(
        _sources(("typo", LINK + "type Query { a: Strin }")),
        "INVALID_GRAPHQL",
        ('"typo"', "Strin"),
    ),
    "field_shared_without_shareable": ErrorCase(
        _sources(
            (
                "users",
                LINK
                + 'type Query { me: User } type User @key(fields: "id") { id: ID! email: String }',
            ),
            ("emails", LINK + 'type User @key(fields: "id") { id: ID! email: String }'),
        ),
        "INVALID_FIELD_SHARING",
        ('"User.email"', '"users"', '"emails"', "@shareable"),
        "User.email",
    ),
    "incompatible_field_types": ErrorCase(
        _sources(
            ("a", LINK + "type Query { a: Int } type Money @shareable { amount: Int }"),
            ("b", LINK + "type Query { b: Money } type Money @shareable { amount: String }"),
        ),
        "FIELD_TYPE_MISMATCH",
        ('"Money.amount"', '"a"', '"b"', '"Int"', '"String"'),
        "Money.amount",
    ),
    "key_on_missing_field": ErrorCase(
        _sources(
            (
                "accounts",
                LINK
                + 'type Query { me: User } type User @key(fields: "emial") { id: ID! email:'
                + " String }",
            )
        ),
        "KEY_INVALID_FIELDS",
        ("[accounts]", '"User"', '"emial"'),
        "User",
    ),
    "requires_missing_field": ErrorCase(
        _sources(
            (
                "products",
                LINK
                + 'type Query { p: Product } type Product @key(fields: "id") { id: ID! weight:'
                + " Int }",
            ),
            (
                "shipping",
                LINK
                + 'type Product @key(fields: "id") { id: ID! cost: Int @requires(fields:'
                + ' "wieght") }',
            ),
        ),
        "REQUIRES_INVALID_FIELDS",
        ("[shipping]", '"Product.cost"', '"wieght"'),
        "Product.cost",
    ),
    "provides_missing_field": ErrorCase(
        _sources(
            (
                "users",
                LINK
                + 'type Query { u: User } type User @key(fields: "id") { id: ID! name: String'
                + " @shareable }",
            ),
            (
                "reviews",
                LINK
                + "type Query { reviews: [Review] } type Review { author: User @provides(fields:"
                + ' "nmae") }'
                + ' type User @key(fields: "id") { id: ID! name: String @external }',
            ),
        ),
        "PROVIDES_INVALID_FIELDS",
        ("[reviews]", '"Review.author"', '"nmae"'),
        "Review.author",
    ),
    "external_field_nobody_defines": ErrorCase(
        _sources(
            ("users", LINK + 'type Query { u: User } type User @key(fields: "id") { id: ID! }'),
            (
                "shipping",
                LINK
                + 'type User @key(fields: "id") { id: ID! zip: String @external label: String'
                + ' @requires(fields: "zip") }',
            ),
        ),
        "EXTERNAL_MISSING_ON_BASE",
        ('"User.zip"', '"shipping"'),
        "User.zip",
    ),
    "same_name_different_kinds": ErrorCase(
        _sources(
            ("a", LINK + "type Query { a: Status } enum Status { ON OFF }"),
            ("b", LINK + "type Query { b: Status } type Status { on: Boolean }"),
        ),
        "TYPE_KIND_MISMATCH",
        ('"Status"', '"a"', '"b"', "enum", "object"),
        "Status",
    ),
    "enum_used_both_ways_with_different_values": ErrorCase(
        _sources(
            ("a", LINK + "type Query { a(c: Color): Color } enum Color { RED GREEN }"),
            ("b", LINK + "type Query { b: Color } enum Color { RED GREEN BLUE }"),
        ),
        "ENUM_VALUE_MISMATCH",
        ('"Color"', '"BLUE"', '"a"', '"b"'),
        "Color.BLUE",
    ),
    "no_query_fields": ErrorCase(
        _sources(("lonely", LINK + 'type User @key(fields: "id") { id: ID! }')),
        "NO_QUERIES",
        ("Query",),
    ),
    "argument_types_differ": ErrorCase(
        _sources(
            ("a", LINK + "type Query { search(limit: Int): [String] @shareable }"),
            ("b", LINK + "type Query { search(limit: String): [String] @shareable }"),
        ),
        "FIELD_ARGUMENT_TYPE_MISMATCH",
        ('"Query.search(limit:)"', '"a"', '"b"', '"Int"', '"String"'),
        "Query.search(limit:)",
    ),
    "unsatisfiable_entity_field": ErrorCase(
        _sources(
            (
                "posts",
                LINK
                + 'type Query { posts: [Post] } type Post @key(fields: "id") { id: ID! author:'
                + " User }"
                + ' type User @key(fields: "id", resolvable: false) { id: ID! }',
            ),
            (
                "people",
                LINK
                + "type Query { people: [User] }"
                + ' type User @key(fields: "id", resolvable: false) { id: ID! name: String }',
            ),
        ),
        "SATISFIABILITY_ERROR",
        ('"User.name"', '"posts"', '"people"', "posts", "author", "name"),
        "User.name",
    ),
    "visible_field_referencing_inaccessible_type": ErrorCase(
        _sources(
            (
                "a",
                'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
                ' import: ["@inaccessible"])\n'
                "type Query { secret: Secret } type Secret @inaccessible { code: String }",
            ),
        ),
        "REFERENCED_INACCESSIBLE",
        ('"Secret"', '"Query.secret"'),
        "Query.secret",
    ),
    "type_with_only_inaccessible_fields": ErrorCase(
        _sources(
            (
                "a",
                'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
                ' import: ["@inaccessible"])\n'
                "type Query { a: Int b: Hidden } type Hidden { x: Int @inaccessible }",
            ),
        ),
        "ONLY_INACCESSIBLE_CHILDREN",
        ('"Hidden"',),
        "Hidden",
    ),
    "interface_field_missing_on_an_implementation": ErrorCase(
        _sources(
            (
                "shapes",
                LINK + "type Query { n: [N] } interface N { id: ID! }"
                ' type X implements N @key(fields: "id") { id: ID! }',
            ),
            (
                "names",
                LINK + "interface N { id: ID! name: String }"
                ' type Y implements N @key(fields: "id") { id: ID! name: String }'
                " type Query { y: Y }",
            ),
        ),
        "INTERFACE_FIELD_NO_IMPLEM",
        ('"N.name"', '"names"', '"X"', '"shapes"'),
        "X.name",
    ),
    "interface_key_missing_on_implementation": ErrorCase(
        _sources(
            (
                "nodes",
                LINK + 'type Query { n: [N] } interface N @key(fields: "id") { id: ID! }'
                " type X implements N { id: ID! }",
            ),
        ),
        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
        ("[nodes]", '"N"', '"X"', '"id"'),
        "X",
    ),
    "import_of_a_directive_the_version_lacks": ErrorCase(
        _sources(
            (
                "old",
                'extend schema @link(url: "https://specs.apollo.dev/federation/v2.0",'
                ' import: ["@key", "@interfaceObject"])\n'
                "type Query { a: Int }",
            ),
        ),
        "INVALID_LINK_DIRECTIVE_USAGE",
        ("[old]", '"@interfaceObject"', "v2.0"),
    ),
    "context_never_set": ErrorCase(
        _sources(
            (
                "ctx",
                'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8",'
                ' import: ["@key", "@context", "@fromContext"])\n'
                'type Query { t: T } type T @key(fields: "id") @context(name: "c") { id: ID! u: U }'
                ' type U { v(a: String @fromContext(field: "$nope { id }")): Int }',
            ),
        ),
        "CONTEXT_NOT_SET",
        ("[ctx]", '"nope"', '"U.v(a:)"'),
        "U.v(a:)",
    ),
    "context_selection_on_a_missing_field": ErrorCase(
        _sources(
            (
                "ctx",
                'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8",'
                ' import: ["@key", "@context", "@fromContext"])\n'
                'type Query { t: T } type T @key(fields: "id") @context(name: "c") { id: ID! u: U }'
                ' type U { v(a: String @fromContext(field: "$c { missing }")): Int }',
            ),
        ),
        "CONTEXT_INVALID_SELECTION",
        ("[ctx]", '"c"', '"U.v(a:)"', '"missing"'),
        "U.v(a:)",
    ),
    "external_declared_with_another_type": ErrorCase(
        _sources(
            ("base", LINK + 'type Query { t: T } type T @key(fields: "id") { id: ID! w: Int! }'),
            (
                "derived",
                LINK + 'type T @key(fields: "id") { id: ID! w: Int @external'
                ' d: Int @requires(fields: "w") }',
            ),
        ),
        "EXTERNAL_TYPE_MISMATCH",
        ('"T.w"', "@external", '"Int!"', '"base"', '"Int"', '"derived"'),
        "T.w",
    ),
    "override_of_a_field_with_requires": ErrorCase(
        _sources(
            (
                "old",
                LINK.replace('"@provides"', '"@provides", "@override"')
                + 'type Query { t: T } type T @key(fields: "id") { id: ID! w: Int @external'
                ' f: Int @requires(fields: "w") }',
            ),
            (
                "new",
                LINK.replace('"@provides"', '"@provides", "@override"')
                + 'type T @key(fields: "id") { id: ID! w: Int f: Int @override(from: "old") }',
            ),
        ),
        "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
        ('"T.f"', '"new"', '"old"', '"@requires"'),
        "T.f",
    ),
    "shared_field_with_disjoint_runtime_types": ErrorCase(
        _sources(
            (
                "books",
                LINK + "type Query { search: [Result] @shareable } union Result = Book"
                ' type Book @key(fields: "id") { id: ID! }',
            ),
            (
                "films",
                LINK + "type Query { search: [Result] @shareable } union Result = Film"
                ' type Film @key(fields: "id") { id: ID! }',
            ),
        ),
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        ('"Query.search"', '"books"', '"Book"', '"films"', '"Film"'),
        "Query.search",
    ),
    "tag_on_an_external_field": ErrorCase(
        _sources(
            (
                "users",
                LINK + 'type Query { u: User } type User @key(fields: "id") { id: ID! n: Int }',
            ),
            (
                "extras",
                LINK.replace('"@provides"', '"@provides", "@tag"')
                + 'type User @key(fields: "id") { id: ID! n: Int @external @tag(name: "x")'
                ' d: Int @requires(fields: "n") }',
            ),
        ),
        "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
        ("[extras]", '@tag(name: "x")', '"User.n"'),
        "User.n",
    ),
}


def _composing(spec: str, composed: str, extra: str = "") -> str:
    """A Federation 2.9 subgraph linking ``spec`` (importing @lowercase) and composing
    ``composed``."""
    return (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",'
        ' import: ["@key", "@composeDirective"])'
        f' @link(url: "{spec}", import: ["@lowercase"])'
        f' @composeDirective(name: "{composed}")\n'
        "directive @lowercase on FIELD_DEFINITION\n" + extra
    )


_UNLINKED_CUSTOM = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",'
    ' import: ["@key", "@composeDirective"]) @composeDirective(name: "@custom")\n'
    "directive @custom on FIELD_DEFINITION type Query { a: Int @custom }"
)
_SPEC = "https://specs.example.dev/lowercase"

ERROR_CASES.update(
    {
        "compose_directive_not_in_a_linked_spec": ErrorCase(
            _sources(("custom", _UNLINKED_CUSTOM)),
            "DIRECTIVE_COMPOSITION_ERROR",
            ('"@custom"', '"custom"', "not a member of a core feature"),
        ),
        "compose_directive_without_leading_at": ErrorCase(
            _sources(("low", _composing(f"{_SPEC}/v1.0", "lowercase", "type Query { a: Int }"))),
            "DIRECTIVE_COMPOSITION_ERROR",
            ('"lowercase"', '"low"', 'leading "@"'),
        ),
        "compose_directive_of_an_undefined_directive": ErrorCase(
            _sources(("low", _composing(f"{_SPEC}/v1.0", "@upper", "type Query { a: Int }"))),
            "DIRECTIVE_COMPOSITION_ERROR",
            ('"@upper"', '"low"', "Could not find matching directive definition"),
        ),
        "compose_directive_of_a_federation_directive": ErrorCase(
            _sources(("low", _composing(f"{_SPEC}/v1.0", "@key", "type Query { a: Int }"))),
            "DIRECTIVE_COMPOSITION_ERROR",
            ('"@key"', '"low"', "federation directive"),
        ),
        "compose_directive_major_version_mismatch": ErrorCase(
            _sources(
                ("one", _composing(f"{_SPEC}/v1.0", "@lowercase", "type Query { a: Int }")),
                ("two", _composing(f"{_SPEC}/v2.0", "@lowercase", "type Query { b: Int }")),
            ),
            "DIRECTIVE_COMPOSITION_ERROR",
            (_SPEC, "major version mismatch"),
        ),
        "compose_directive_from_two_different_specs": ErrorCase(
            _sources(
                ("one", _composing(f"{_SPEC}/v1.0", "@lowercase", "type Query { a: Int }")),
                (
                    "two",
                    _composing(
                        "https://specs.other.dev/lowercase/v1.0",
                        "@lowercase",
                        "type Query { b: Int }",
                    ),
                ),
            ),
            "DIRECTIVE_COMPOSITION_ERROR",
            ('"@lowercase"', "not linked by the same core feature"),
        ),
    }
)

DUPLICATE_NAMES = ErrorCase(
    _sources(("same", LINK + "type Query { a: Int }"), ("same", LINK + "type Query { b: Int }")),
    "INVALID_SUBGRAPH_NAME",
    ('"same"',),
)
EMPTY_NAME = ErrorCase(
    (SubgraphSource("", "http://127.0.0.1:4409/graphql", LINK + "type Query { a: Int }"),),
    "INVALID_SUBGRAPH_NAME",
    ("http://127.0.0.1:4409/graphql",),
)
