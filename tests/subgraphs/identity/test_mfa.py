"""MFA over real HTTP: TOTP enrolment (secret, otpauth URI, QR code), confirmation, sign-in
challenges completed with a TOTP or recovery code (amr pwd+otp), replay refused, disabling
with a fresh code."""

from __future__ import annotations

import base64
import json
import time

import pyotp

from subgraphs.identity import totp
from tests.subgraphs.identity.auth_client import (
    bearer,
    login_body,
    signed_in_user,
)

START = "mutation { startMfaEnrolment { secret otpauthUri qrCodeDataUrl } }"
CONFIRM = """
mutation($code: String!) {
  confirmMfaEnrolment(input: { code: $code }) { recoveryCodes mfa { enabled recoveryCodesLeft } }
}
"""
COMPLETE = """
mutation($id: ID!, $code: String!) {
  completeMfaLogin(input: { challengeId: $id, code: $code }) {
    tokens { accessToken refreshToken user { id } }
  }
}
"""
DISABLE = "mutation($code: String!) { disableMfa(input: { code: $code }) { mfa { enabled } } }"
MY_MFA = "{ myMfa { enabled recoveryCodesLeft } }"


def code_for(secret: str, step_offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + step_offset * totp.STEP_SECONDS)


def claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def enrolled(identity) -> tuple[dict, dict, str, list[str]]:
    """A user with MFA on: (user, tokens, secret, recovery codes)."""
    user, tokens = await signed_in_user(identity, "mfa")
    headers = bearer(tokens["accessToken"])
    started = await identity.graphql(START, headers=headers)
    assert "errors" not in started, started
    secret = started["data"]["startMfaEnrolment"]["secret"]
    confirmed = await identity.graphql(CONFIRM, {"code": code_for(secret)}, headers=headers)
    assert "errors" not in confirmed, confirmed
    return user, tokens, secret, confirmed["data"]["confirmMfaEnrolment"]["recoveryCodes"]


async def challenge_id(identity, email: str) -> str:
    body = await login_body(identity, email)
    assert "errors" not in body, body
    assert body["data"]["login"]["tokens"] is None
    return str(body["data"]["login"]["mfaChallenge"]["id"])


async def test_enrolment_returns_secret_uri_and_qr_code_then_needs_a_valid_first_code(identity):
    _, tokens = await signed_in_user(identity, "enrol")
    headers = bearer(tokens["accessToken"])

    started = (await identity.graphql(START, headers=headers))["data"]["startMfaEnrolment"]
    wrong = await identity.graphql(CONFIRM, {"code": "000000"}, headers=headers)
    right = await identity.graphql(CONFIRM, {"code": code_for(started["secret"])}, headers=headers)

    assert started["otpauthUri"].startswith("otpauth://totp/")
    assert f"secret={started['secret']}" in started["otpauthUri"]
    assert started["qrCodeDataUrl"].startswith("data:image/svg+xml")
    assert wrong["errors"][0]["extensions"]["reason"] == "INVALID_MFA_CODE"
    payload = right["data"]["confirmMfaEnrolment"]
    assert payload["mfa"] == {"enabled": True, "recoveryCodesLeft": 10}
    assert len(set(payload["recoveryCodes"])) == 10


async def test_sign_in_with_mfa_needs_a_code_and_then_carries_amr_pwd_otp(identity):
    user, _, secret, _ = await enrolled(identity)

    challenge = await challenge_id(identity, user["email"])
    wrong = await identity.graphql(COMPLETE, {"id": challenge, "code": "123456"})
    # The enrolment used the current step: the next one is fresh.
    right = await identity.graphql(COMPLETE, {"id": challenge, "code": code_for(secret, 1)})

    assert wrong["errors"][0]["extensions"]["reason"] == "INVALID_MFA_CODE"
    assert "errors" not in right, right
    access = right["data"]["completeMfaLogin"]["tokens"]["accessToken"]
    assert claims(access)["amr"] == ["pwd", "otp"]
    again = await identity.graphql(COMPLETE, {"id": challenge, "code": code_for(secret, 1)})
    assert again["errors"][0]["extensions"]["reason"] == "INVALID_MFA_CHALLENGE"


async def test_a_used_totp_code_is_not_accepted_again(identity):
    user, _, secret, _ = await enrolled(identity)
    first = await challenge_id(identity, user["email"])
    code = code_for(secret, 1)
    assert "errors" not in await identity.graphql(COMPLETE, {"id": first, "code": code})

    second = await challenge_id(identity, user["email"])
    replay = await identity.graphql(COMPLETE, {"id": second, "code": code})

    assert replay["errors"][0]["extensions"]["reason"] == "INVALID_MFA_CODE"


async def test_a_recovery_code_completes_a_sign_in_once(identity):
    user, _, _, codes = await enrolled(identity)

    first = await identity.graphql(
        COMPLETE, {"id": await challenge_id(identity, user["email"]), "code": codes[3].upper()}
    )
    reused = await identity.graphql(
        COMPLETE, {"id": await challenge_id(identity, user["email"]), "code": codes[3]}
    )

    assert "errors" not in first, first
    access = first["data"]["completeMfaLogin"]["tokens"]["accessToken"]
    status = await identity.graphql(MY_MFA, headers=bearer(access))
    assert status["data"]["myMfa"] == {"enabled": True, "recoveryCodesLeft": 9}
    assert reused["errors"][0]["extensions"]["reason"] == "INVALID_MFA_CODE"


async def test_a_challenge_dies_after_five_wrong_codes(identity):
    user, _, secret, _ = await enrolled(identity)
    challenge = await challenge_id(identity, user["email"])
    for _ in range(5):
        await identity.graphql(COMPLETE, {"id": challenge, "code": "999999"})

    body = await identity.graphql(COMPLETE, {"id": challenge, "code": code_for(secret, 1)})

    assert body["errors"][0]["extensions"]["reason"] in {"INVALID_MFA_CHALLENGE", "THROTTLED"}


async def test_disabling_mfa_needs_a_fresh_code(identity):
    user, tokens, secret, _ = await enrolled(identity)
    headers = bearer(tokens["accessToken"])

    refused = await identity.graphql(DISABLE, {"code": "000000"}, headers=headers)
    done = await identity.graphql(DISABLE, {"code": code_for(secret, 1)}, headers=headers)

    assert refused["errors"][0]["extensions"]["reason"] == "INVALID_MFA_CODE"
    assert done["data"]["disableMfa"]["mfa"]["enabled"] is False
    status = await identity.graphql(MY_MFA, headers=headers)
    assert status["data"]["myMfa"] == {"enabled": False, "recoveryCodesLeft": 0}
    body = await login_body(identity, user["email"])
    assert body["data"]["login"]["tokens"]["accessToken"]
