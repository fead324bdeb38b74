"""The authorization filter on abstract types, fragments, enums, @include and the plan cache,
through the query engine (one Strawberry subgraph executed in process, composed by our
composition)."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry

from router.auth import Principal
from router.composition import SubgraphSource, compose
from router.executor import QueryEngine
from router.supergraph import load_supergraph
from router.types import RequestContext, SubgraphRequest


@strawberry.interface
class Post:
    id: strawberry.ID
    title: str


@strawberry.type
class PublicPost(Post):
    pass


@strawberry.federation.type(authenticated=True)
class PrivatePost(Post):
    pass


@strawberry.federation.enum(requires_scopes=[["admin"]])
class Level(enum.Enum):
    LOW = "LOW"
    HIGH = "HIGH"


SearchResult = Annotated[PublicPost | PrivatePost, strawberry.union("SearchResult")]

POSTS: list[Post] = [
    PublicPost(id=strawberry.ID("1"), title="hello"),
    PrivatePost(id=strawberry.ID("2"), title="diary"),
    PublicPost(id=strawberry.ID("3"), title="news"),
]


@strawberry.type
class Query:
    @strawberry.field
    def posts(self) -> list[Post] | None:
        return POSTS

    @strawberry.field
    def search(self) -> list[SearchResult] | None:
        return POSTS

    @strawberry.field
    def level(self) -> Level | None:
        return Level.HIGH

    @strawberry.field
    def notice(self) -> str:
        return "hi"


blog = strawberry.federation.Schema(
    query=Query, types=[PublicPost, PrivatePost], federation_version="2.6"
)
_composed = compose([SubgraphSource("blog", "http://blog.invalid/graphql", blog.as_str())])
assert _composed.supergraph_sdl is not None, _composed.errors
SUPERGRAPH = load_supergraph(_composed.supergraph_sdl)

USER = Principal("u1", frozenset({"user"}), frozenset({"profile"}), {"sub": "u1"})
ADMIN = Principal("u2", frozenset({"admin"}), frozenset({"profile", "admin"}), {"sub": "u2"})


class InProcess:
    def __init__(self) -> None:
        self.requests: list[str] = []

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        self.requests.append(request.query)
        result = await blog.execute(request.query, variable_values=request.variables)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return body


async def ask(
    query: str,
    principal: Principal | None = None,
    variables: dict[str, Any] | None = None,
    engine: QueryEngine | None = None,
) -> dict[str, Any]:
    engine = engine or QueryEngine(SUPERGRAPH, InProcess())
    prepared = engine.prepare(query, None, principal=principal)
    return await engine.execute(prepared, variables, RequestContext())


def paths(body: dict[str, Any]) -> list[tuple[list[str | int], str]]:
    return [(error["path"], error["extensions"]["code"]) for error in body.get("errors", [])]


async def test_interface_fields_selected_directly_need_every_implementation() -> None:
    body = await ask("{ notice posts { id title } }")
    assert body["data"] == {"notice": "hi", "posts": None}
    assert paths(body) == [(["posts"], "UNAUTHENTICATED")]
    assert "PrivatePost" in body["errors"][0]["message"]
    body = await ask("{ notice posts { id title } }", USER)
    assert "errors" not in body
    assert [post["title"] for post in body["data"]["posts"]] == ["hello", "diary", "news"]


async def test_typename_alone_on_an_interface_is_allowed() -> None:
    body = await ask("{ posts { __typename } }")
    assert body == {
        "data": {
            "posts": [
                {"__typename": "PublicPost"},
                {"__typename": "PrivatePost"},
                {"__typename": "PublicPost"},
            ]
        }
    }


async def test_a_fragment_on_a_protected_type_is_removed_per_object() -> None:
    query = "{ posts { __typename ... on PublicPost { title } ... on PrivatePost { title } } }"
    body = await ask(query)
    assert body["data"] == {
        "posts": [
            {"__typename": "PublicPost", "title": "hello"},
            {"__typename": "PrivatePost"},
            {"__typename": "PublicPost", "title": "news"},
        ]
    }
    assert paths(body) == [(["posts", 1], "UNAUTHENTICATED")]
    assert body["errors"][0]["message"] == "Type PrivatePost requires authentication"


async def test_named_fragments_and_unions() -> None:
    query = (
        "{ search { ...Private ... on PublicPost { id } } } "
        "fragment Private on PrivatePost { title }"
    )
    body = await ask(query)
    assert body["data"] == {"search": [{"id": "1"}, {}, {"id": "3"}]}
    assert paths(body) == [(["search", 1], "UNAUTHENTICATED")]
    body = await ask(query, USER)
    assert body == {"data": {"search": [{"id": "1"}, {"title": "diary"}, {"id": "3"}]}}


async def test_a_protected_enum_type() -> None:
    body = await ask("{ level notice }", USER)
    assert body["data"] == {"level": None, "notice": "hi"}
    assert paths(body) == [(["level"], "FORBIDDEN")]
    assert body["errors"][0]["message"] == "Field Query.level (type Level) requires scope admin"
    assert await ask("{ level notice }", ADMIN) == {"data": {"level": "HIGH", "notice": "hi"}}


async def test_conditional_selections_are_filtered_per_variant() -> None:
    query = "query ($x: Boolean!) { notice level @include(if: $x) }"
    engine = QueryEngine(SUPERGRAPH, InProcess())
    assert await ask(query, USER, {"x": False}, engine) == {"data": {"notice": "hi"}}
    body = await ask(query, USER, {"x": True}, engine)
    assert body["data"] == {"notice": "hi", "level": None}
    assert paths(body) == [(["level"], "FORBIDDEN")]


async def test_removed_fields_are_not_sent_to_subgraphs() -> None:
    fetcher = InProcess()
    engine = QueryEngine(SUPERGRAPH, fetcher)
    await ask("{ notice level }", USER, engine=engine)
    assert len(fetcher.requests) == 1
    assert "level" not in fetcher.requests[0]
    fetcher.requests.clear()
    await ask("{ level }", USER, engine=engine)
    assert fetcher.requests == []


async def test_plans_are_shared_by_callers_with_the_same_outcome_only() -> None:
    engine = QueryEngine(SUPERGRAPH, InProcess())
    query = "{ notice level posts { id } }"
    anonymous = engine.prepare(query, None)
    user = engine.prepare(query, None, principal=USER)
    other_user = Principal("u9", frozenset({"seller"}), frozenset({"seller"}), {"sub": "u9"})
    admin = engine.prepare(query, None, principal=ADMIN)
    assert engine.prepare(query, None) is anonymous
    assert engine.prepare(query, None, principal=other_user) is user  # fails the same: level
    assert len({id(anonymous), id(user), id(admin)}) == 3
    unprotected = "{ notice }"
    assert engine.prepare(unprotected, None) is engine.prepare(unprotected, None, principal=ADMIN)


async def test_introspection_is_answered_for_anonymous_callers() -> None:
    body = await ask('{ notice __type(name: "Level") { enumValues { name } } }')
    assert body == {
        "data": {"notice": "hi", "__type": {"enumValues": [{"name": "LOW"}, {"name": "HIGH"}]}}
    }
