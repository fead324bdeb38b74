"""A one-subgraph supergraph with demand-control directives, composed by our composer."""

from __future__ import annotations

from functools import cache

from router.composition import SubgraphSource, compose
from router.supergraph import Supergraph, load_supergraph

LIBRARY_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
                    import: ["@key", {name: "@cost", as: "@weight"}, "@listSize"])

type Query {
  users(max: Int): [User] @listSize(slicingArguments: ["max"])
  book(id: ID!): Book
  books(first: Int, last: Int = 3): [Book!]!
    @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
  bestsellers: [Book!]! @listSize(assumedSize: 5)
  shelf: [Book!]!
  search(filter: Filter @weight(weight: 3), tags: [String!] @weight(weight: 2)): [Book!]!
    @listSize(assumedSize: 2)
  cursor(first: Int): BookConnection!
    @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  expensive: Int @weight(weight: 20)
  clock: Int
}

type Mutation {
  addBook(title: String!): Book
}

type Subscription {
  bookAdded: Book
}

type User {
  name: String
  age: Int @weight(weight: 2)
}

type Book @key(fields: "id") {
  id: ID!
  title: String
  isbn: Isbn
  author: Author
  genre: Genre
}

type Author @weight(weight: 4) {
  name: String
}

scalar Isbn @weight(weight: 7)

enum Genre @weight(weight: 6) {
  NOVEL
  POETRY
}

type BookConnection {
  edges: [BookEdge!]!
  pageInfo: PageInfo!
}

type BookEdge {
  node: Book!
}

type PageInfo {
  hasNextPage: Boolean!
}

input Filter {
  title: String
  minRating: Int @weight(weight: 5)
}
"""


@cache
def library_supergraph() -> Supergraph:
    result = compose((SubgraphSource("library", "http://library.test/graphql", LIBRARY_SDL),))
    assert result.supergraph_sdl is not None, result.errors
    return load_supergraph(result.supergraph_sdl)
