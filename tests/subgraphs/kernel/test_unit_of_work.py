"""One transaction per request: mutations commit once or not at all; queries never commit."""

from __future__ import annotations

from tests.subgraphs.kernel.kernel_probe import SECRET


async def user_count(probe) -> int:
    body = await probe.graphql("{ userCount }")
    return body["data"]["userCount"]


async def test_successful_mutation_commits(probe):
    body = await probe.graphql('mutation { register(email: "kept@example.com") }')

    assert "errors" not in body
    assert await user_count(probe) == 1


async def test_domain_error_after_writing_rolls_back_every_root_field(probe):
    body = await probe.graphql(
        """mutation {
          first: register(email: "one@example.com")
          second: registerThenConflict(email: "two@example.com")
        }"""
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["CONFLICT"]
    assert await user_count(probe) == 0


async def test_unexpected_error_after_writing_rolls_back(probe):
    body = await probe.graphql('mutation { registerThenCrash(email: "gone@example.com") }')

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert SECRET not in str(body)
    assert await user_count(probe) == 0


async def test_queries_never_commit(probe):
    body = await probe.graphql('{ writeInAQuery(email: "sneaky@example.com") }')

    assert "errors" not in body
    assert await user_count(probe) == 0


async def test_sessions_are_returned_to_the_pool(probe):
    for index in range(12):
        await probe.graphql(f'mutation {{ register(email: "pool{index}@example.com") }}')
        await probe.graphql("{ explode }")

    assert probe.engine.pool.checkedout() == 0
    assert await user_count(probe) == 12
