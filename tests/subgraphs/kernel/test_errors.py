"""Errors reach clients with a stable code; unexpected ones only as an opaque request id."""

from __future__ import annotations

import logging

from tests.subgraphs.kernel.kernel_probe import SECRET


async def test_unexpected_exception_is_internal_server_error_with_request_id_only(probe, caplog):
    response = await probe.client.post(
        f"{probe.url}/graphql",
        json={"query": "{ explode }"},
        headers={"X-Request-Id": "req-42"},
    )

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-42"
    assert SECRET not in response.text
    assert "Traceback" not in response.text
    [error] = response.json()["errors"]
    assert error == {
        "message": "Internal server error (request id req-42)",
        "locations": [{"line": 1, "column": 3}],
        "path": ["explode"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"},
    }
    logged = [r for r in caplog.records if r.name == "subgraphs.kernel"]
    assert len(logged) == 1
    assert "req-42" in logged[0].getMessage()
    assert logged[0].exc_info is not None and SECRET in str(logged[0].exc_info[1])


async def test_request_id_is_generated_when_the_caller_sends_none_or_garbage(probe):
    generated = await probe.graphql("{ requestId }")
    garbage = await probe.graphql("{ requestId }", headers={"X-Request-Id": "<script>" + "x" * 200})

    for body in (generated, garbage):
        request_id = body["data"]["requestId"]
        assert len(request_id) == 32 and request_id.isalnum()


async def test_domain_error_keeps_its_message_and_code(probe):
    body = await probe.graphql("{ forbidden }")

    [error] = body["errors"]
    assert error["message"] == "Only admins may look."
    assert error["extensions"] == {"code": "FORBIDDEN"}
    assert error["path"] == ["forbidden"]


async def test_validation_errors_keep_their_messages(probe):
    body = await probe.graphql("{ noSuchField }")

    [error] = body["errors"]
    assert "Cannot query field 'noSuchField'" in error["message"]


async def test_variable_coercion_errors_keep_their_messages(probe):
    body = await probe.graphql("query($v: Long!) { echoLong(value: $v) }", {"v": 2**63})

    [error] = body["errors"]
    assert "Long out of 64-bit range" in error["message"]
    assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR"


async def test_domain_errors_are_not_logged_as_errors(probe, caplog):
    caplog.set_level(logging.INFO)

    await probe.graphql("{ forbidden }")

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
