"""Small subgraph sets, one per federation feature, composed by us and by @apollo/composition."""

from __future__ import annotations

from router.composition import SubgraphSource


def _link(version: str, *imports: str) -> str:
    quoted = ", ".join(f'"{name}"' for name in imports)
    url = f"https://specs.apollo.dev/federation/v{version}"
    return f'extend schema @link(url: "{url}", import: [{quoted}])\n'


def _sources(*sdls: tuple[str, str]) -> list[SubgraphSource]:
    return [
        SubgraphSource(name, f"http://127.0.0.1:{4301 + index}/graphql", sdl)
        for index, (name, sdl) in enumerate(sdls)
    ]


FEATURES: dict[str, list[SubgraphSource]] = {
    "keys_compound_multiple_unresolvable": _sources(
        (
            "users",
            _link("2.3", "@key")
            + """
            type Query { user(id: ID!): User }
            type User @key(fields: "id") @key(fields: "org { id } login") {
              id: ID!
              login: String!
              org: Org!
            }
            type Org @key(fields: "id") { id: ID! name: String }
            """,
        ),
        (
            "posts",
            _link("2.3", "@key")
            + """
            type Query { posts: [Post!]! }
            type Post @key(fields: "id") { id: ID! author: User! }
            type User @key(fields: "id", resolvable: false) { id: ID! }
            """,
        ),
    ),
    "requires_provides_external": _sources(
        (
            "products",
            _link("2.3", "@key", "@shareable")
            + """
            type Query { products: [Product] }
            type Product @key(fields: "upc") {
              upc: String!
              weight: Int
              price: Int
              vendor: Vendor
            }
            type Vendor @key(fields: "id") { id: ID! name: String @shareable }
            """,
        ),
        (
            "shipping",
            _link("2.3", "@key", "@external", "@requires", "@provides")
            + """
            type Product @key(fields: "upc") {
              upc: String!
              weight: Int @external
              price: Int @external
              shippingEstimate(zone: String): Int @requires(fields: "price weight")
              cheapestVendor: Vendor @provides(fields: "name")
            }
            type Vendor @key(fields: "id") { id: ID! name: String @external }
            """,
        ),
        (
            "vendors",
            _link("2.3", "@key", "@shareable")
            + """
            type Vendor @key(fields: "id") { id: ID! name: String @shareable country: String }
            """,
        ),
    ),
    "shareable_value_types_and_nullability": _sources(
        (
            "a",
            _link("2.3", "@key", "@shareable")
            + """
            type Query {
              money: Money @shareable
              ping(times: Int = 1, loud: Boolean): String! @shareable
            }
            type Money @shareable { amount: Int! currency: String! }
            """,
        ),
        (
            "b",
            _link("2.3", "@key", "@shareable")
            + """
            type Query { money: Money @shareable ping(times: Int = 1): String @shareable }
            type Money @shareable { amount: Int currency: String! }
            """,
        ),
    ),
    "override_and_labels": _sources(
        (
            "old",
            _link("2.7", "@key", "@shareable")
            + """
            type Query { account(id: ID!): Account @shareable }
            type Account @key(fields: "id") @key(fields: "number") {
              id: ID!
              number: String!
              balance: Int
              owner: String
            }
            """,
        ),
        (
            "new",
            _link("2.7", "@key", "@override", "@shareable")
            + """
            type Query { account(id: ID!): Account @shareable }
            type Account @key(fields: "id") {
              id: ID!
              balance: Int @override(from: "old")
              owner: String @override(from: "old", label: "percent(25)")
              number: String! @override(from: "old")
            }
            """,
        ),
    ),
    "interfaces_and_unions_across_subgraphs": _sources(
        (
            "catalog",
            _link("2.3", "@key", "@shareable")
            + """
            type Query { media: [Media!]! search(term: String!): [SearchResult!]! @shareable }
            interface Media { id: ID! title: String! }
            type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int }
            type Film implements Media @key(fields: "id") { id: ID! title: String! minutes: Int }
            union SearchResult = Book | Film
            """,
        ),
        (
            "music",
            _link("2.3", "@key", "@shareable")
            + """
            type Query { search(term: String!): [SearchResult!]! @shareable }
            interface Media { id: ID! title: String! }
            type Song implements Media @key(fields: "id") { id: ID! title: String! seconds: Int }
            type Book @key(fields: "id") { id: ID! }
            union SearchResult = Song | Book
            """,
        ),
    ),
    "interface_object": _sources(
        (
            "inventory",
            _link("2.3", "@key")
            + """
            type Query { items: [Item!]! }
            interface Item @key(fields: "sku") { sku: ID! name: String }
            type Shoe implements Item @key(fields: "sku") { sku: ID! name: String size: Int }
            type Hat implements Item @key(fields: "sku") { sku: ID! name: String colour: String }
            """,
        ),
        (
            "reviews",
            _link("2.3", "@key", "@interfaceObject")
            + """
            type Item @key(fields: "sku") @interfaceObject { sku: ID! rating: Float }
            type Query { topRated: [Item!]! }
            """,
        ),
    ),
    "enums_and_inputs": _sources(
        (
            "a",
            _link("2.3", "@key", "@shareable")
            + """
            type Query { orders(filter: OrderFilter, sort: SortOrder): [Order!]! status: Status }
            type Order @key(fields: "id") { id: ID! status: Status }
            enum Status { OPEN SHIPPED }
            enum SortOrder { ASC DESC RANDOM }
            enum Region { EU US ASIA }
            input OrderFilter { region: Region first: Int = 10 after: String note: String }
            """,
        ),
        (
            "b",
            _link("2.3", "@key", "@shareable")
            + """
            type Query { archived(filter: OrderFilter, sort: SortOrder): [Order!]! }
            type Order @key(fields: "id") { id: ID! archivedStatus: Status }
            enum Status { OPEN CANCELLED }
            enum SortOrder { ASC DESC }
            enum Region { EU US }
            input OrderFilter { region: Region first: Int = 10 after: String }
            """,
        ),
    ),
    "inaccessible_tag_and_descriptions": _sources(
        (
            "a",
            _link("2.3", "@key", "@tag", "@inaccessible", "@shareable")
            + '''
            """Entry points"""
            type Query {
              "Look a user up"
              user(
                "the id" id: ID! @tag(name: "arg")
                legacy: Boolean @inaccessible
              ): User @tag(name: "public")
            }
            """A person"""
            type User @key(fields: "id") @tag(name: "entity") {
              id: ID!
              secret: String @inaccessible
              name: String @shareable @deprecated(reason: "use displayName")
              displayName: String @shareable
              kind: Kind
            }
            enum Kind { HUMAN ROBOT @inaccessible }
            ''',
        ),
        (
            "b",
            _link("2.3", "@key", "@tag", "@shareable")
            + """
            type User @key(fields: "id") {
              id: ID!
              name: String @shareable @tag(name: "b")
              displayName: String @shareable
            }
            """,
        ),
    ),
    "renamed_and_namespaced_imports_with_mutation": _sources(
        (
            "a",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
            ' import: [{name: "@key", as: "@primaryKey"}])\n'
            """
            type Query { a: A }
            type Mutation { makeA(name: String!): A }
            type A @primaryKey(fields: "id") { id: ID! name: String @federation__shareable }
            """,
        ),
        (
            "b",
            'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",'
            ' as: "fed", import: [])\n'
            """
            type A @fed__key(fields: "id") { id: ID! name: String @fed__shareable extra: Int }
            """,
        ),
    ),
    "strawberry_style_sdl_with_extension": _sources(
        (
            "identity",
            """schema
  @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@shareable"]) {
  query: Query
}

type Query {
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
  me: User!
}

type User @key(fields: "id") {
  id: ID!
  name: String! @shareable
}

scalar _Any

union _Entity = User

type _Service {
  sdl: String!
}
""",
        ),
        (
            "money",
            """schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"]) {
  query: Query
}

type Query {
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
}

extend type User @key(fields: "id") {
  id: ID!
  wallets: [Wallet!]!
}

type Wallet {
  id: ID!
  balanceMinor: Int!
}

scalar _Any

union _Entity = User

type _Service {
  sdl: String!
}
""",
        ),
    ),
    "federation1_subgraphs": _sources(
        (
            "accounts",
            """
            type Query { me: User }
            type User @key(fields: "id") { id: ID! name: String address: Address }
            type Address { street: String city: String }
            """,
        ),
        (
            "reviews",
            """
            extend type Query { latest: [Review] }
            type Review @key(fields: "id") {
              id: ID!
              body: String
              author: User @provides(fields: "name")
            }
            extend type User @key(fields: "id") {
              id: ID! @external
              name: String @external
              reviews: [Review]
              address: Address
            }
            type Address { street: String city: String }
            """,
        ),
    ),
}


FEATURES["metadata_on_every_kind_of_element"] = _sources(
    (
        "e",
        _link("2.3", "@key", "@shareable", "@tag", "@inaccessible")
        + """
        type Query {
          x(a: Int @tag(name: "a") @inaccessible @deprecated(reason: "no")): I
            @deprecated(reason: "old") @inaccessible @tag(name: "q")
        }
        interface I { id: ID! }
        type T implements I @key(fields: "id") @tag(name: "t") @inaccessible { id: ID! }
        type U implements I @key(fields: "id") { id: ID! }
        scalar S @tag(name: "s") @inaccessible @specifiedBy(url: "http://x")
        enum E @inaccessible @tag(name: "e") { A B @deprecated(reason: "b") }
        union Un @tag(name: "u") @inaccessible = T | U
        input In @tag(name: "in") {
          f: Int = 1 @inaccessible @tag(name: "f") @deprecated(reason: "f")
          g: S @inaccessible
          h: E @inaccessible
          j: Int
        }
        type Query2 { a: Un @inaccessible b: Int }
        """,
    ),
    (
        "f",
        _link("2.3", "@key", "@shareable", "@tag", "@inaccessible")
        + """
        type T @key(fields: "id") { id: ID! more: Int }
        type Query { y(i: In): Int }
        input In { f: Int = 1 g: S h: E j: Int }
        scalar S
        enum E { A B }
        """,
    ),
)

FEATURES["renamed_tag_interface_object_and_argument_merging"] = _sources(
    (
        "a",
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key",'
        ' "@shareable", {name: "@tag", as: "@label"}, "@inaccessible", "@interfaceObject",'
        ' "@override"])\n'
        + '''
        """The query root"""
        type Query {
          me: User
          node(id: ID!): Node
          search(q: String!, kind: Kind = A): [Result!]! @shareable
        }
        enum Kind { A B C }
        enum Color { RED GREEN }
        input Filter { a: Int b: String c: Color }
        interface Node @key(fields: "id") { id: ID! }
        union Result = User | Post
        """A user"""
        type User implements Node @key(fields: "id") @key(fields: "email") @label(name: "pub") {
          id: ID!
          email: String! @inaccessible
          name: String @deprecated(reason: "use x") @shareable
          color: Color
          posts(filter: Filter): [Post]
        }
        type Post @key(fields: "id", resolvable: false) { id: ID! }
        scalar DateTime
        type Account @key(fields: "id") { id: ID! name: String @shareable }
        ''',
    ),
    (
        "b",
        _link(
            "2.3", "@key", "@shareable", "@external", "@requires", "@provides", "@interfaceObject"
        )
        + """
        type Query {
          search(q: String!, kind: Kind): [Result!]! @shareable
          posts: [Post] @provides(fields: "author { name }")
        }
        enum Kind { A B }
        enum Color { RED GREEN }
        input Filter { a: Int b: String }
        union Result = Post | Account
        type Node @key(fields: "id") @interfaceObject { id: ID! created: DateTime }
        type Account @key(fields: "id") {
          id: ID!
          name: String @external
          color2: Color
          greeting: String @requires(fields: "name")
        }
        type Post @key(fields: "id") { id: ID! title: String author: Account }
        scalar DateTime
        """,
    ),
)

FEATURES["authorization_and_demand_control"] = _sources(
    (
        "g",
        _link(
            "2.9",
            "@key",
            "@shareable",
            "@authenticated",
            "@requiresScopes",
            "@policy",
            "@cost",
            "@listSize",
        )
        + """
        type Query {
          me: User @authenticated
          users(first: Int @cost(weight: 2)): [User]
            @listSize(assumedSize: 10, slicingArguments: ["first"])
            @requiresScopes(scopes: [["read:users"]])
        }
        type User @key(fields: "id") @policy(policies: [["admin"]]) {
          id: ID!
          secret: String @requiresScopes(scopes: [["b", "a"], ["c"]]) @cost(weight: 5) @shareable
        }
        enum Level @authenticated { LOW HIGH }
        """,
    ),
    (
        "h",
        _link("2.5", "@key", "@shareable", "@authenticated", "@requiresScopes")
        + """
        type User @key(fields: "id") {
          id: ID!
          secret: String @requiresScopes(scopes: [["d"]]) @shareable
          more: Int @authenticated
        }
        """,
    ),
)

FEATURES["renamed_root_types"] = _sources(
    (
        "a",
        _link("2.3", "@key")
        + """
        schema { query: RootQuery mutation: RootMutation }
        type RootQuery { thing(id: ID!): Thing }
        type RootMutation { renameThing(id: ID!, name: String!): Thing }
        type Thing @key(fields: "id") { id: ID! name: String }
        """,
    ),
    (
        "b",
        _link("2.3", "@key")
        + """
        type Query { things: [Thing!]! }
        type Thing @key(fields: "id") { id: ID! size: Int }
        """,
    ),
)

FEATURES["context_and_from_context"] = _sources(
    (
        "a",
        _link("2.8", "@key", "@context", "@fromContext", "@shareable")
        + """
        type Query { t: T }
        type T @key(fields: "id") @context(name: "ctx") { id: ID! prop: String! u: U! @shareable }
        type U @key(fields: "id") {
          id: ID!
          field(a: String @fromContext(field: "$ctx { prop }"), b: Int): Int!
        }
        """,
    ),
    ("b", _link("2.8", "@key") + 'type U @key(fields: "id") { id: ID! other: Int }'),
)

FEATURES["conflicting_descriptions_and_deprecations"] = _sources(
    (
        "d1",
        _link("2.3", "@shareable")
        + '''
        """Alpha desc"""
        type Query { a: M @shareable }
        """M from d1"""
        type M @shareable { "x d1" x: Int @deprecated(reason: "d1") }
        ''',
    ),
    (
        "d2",
        _link("2.3", "@shareable")
        + '''
        type Query { a: M @shareable }
        """M from d2"""
        type M @shareable { "x d2" x: Int @deprecated(reason: "d2") }
        ''',
    ),
    (
        "d3",
        _link("2.3", "@shareable")
        + '''
        type Query { a: M @shareable }
        """M from d2"""
        type M @shareable { "x d2" x: Int }
        ''',
    ),
)
