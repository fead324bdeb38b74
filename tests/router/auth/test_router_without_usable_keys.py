"""The router without a JWKS (every request anonymous) and with an unreachable one."""

from __future__ import annotations

import pytest

from tests.fixtures.authorization.platform import start_authorization_platform
from tests.fixtures.authorization.subgraphs import GRAPH, STATE
from tests.fixtures.benchmark.loopback import unused_loopback_port


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    GRAPH.reset()


async def test_without_a_jwks_every_request_is_anonymous_and_directives_still_hold() -> None:
    platform = await start_authorization_platform(jwks=False)
    try:
        token = platform.issuer.token(scope="admin support")
        status, body, _ = await platform.ask(
            "{ seenAuthorization staffNote me { name } }", token=token
        )
    finally:
        await platform.stop()
    assert status == 200
    assert body["data"] == {"seenAuthorization": f"Bearer {token}", "staffNote": None, "me": None}
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"UNAUTHENTICATED"}
    assert STATE.seen_authorization == [f"Bearer {token}"]  # still forwarded


async def test_an_unreachable_jwks_answers_503_not_a_verdict_on_the_token() -> None:
    down = f"http://127.0.0.1:{unused_loopback_port()}/.well-known/jwks.json"
    platform = await start_authorization_platform(jwks_url=down)
    try:
        status, body, _ = await platform.ask("{ publicNotice }", token=platform.issuer.token())
        anonymous_status, anonymous, _ = await platform.ask("{ publicNotice }")
    finally:
        await platform.stop()
    assert status == 503
    assert "try again" in body["errors"][0]["message"]
    # The same answer as a subgraph that cannot fetch the keys.
    assert body["errors"][0]["extensions"] == {
        "code": "UNAUTHENTICATED",
        "reason": "KEYS_UNAVAILABLE",
    }
    assert (anonymous_status, anonymous) == (200, {"data": {"publicNotice": "welcome"}})
