"""Rotating identity's signing keys while it runs (`ehb identity-keys rotate`): the new key
signs the next tokens at once, tokens of the old key keep working while they can be valid, and
the JWKS publishes both; `ehb identity-keys generate` prints a private key for production."""

from __future__ import annotations

import base64
import json

from joserfc.jwk import OKPKey

from router.cli import main
from subgraphs.kernel.testing import running_subgraph
from tests.subgraphs.identity.auth_client import bearer, login, register, unique_email


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


async def test_a_rotated_key_signs_at_once_and_the_old_tokens_still_work(tmp_path, capsys):
    async with running_subgraph("identity", tmp_path) as identity:
        user = await register(identity, unique_email("rotation"))
        before = (await login(identity, user["email"]))["accessToken"]

        assert main(["identity-keys", "rotate", "--data-dir", str(tmp_path)]) == 0
        printed = capsys.readouterr().out
        after = (await login(identity, user["email"]))["accessToken"]
        jwks = (await identity.client.get(f"{identity.url}/.well-known/jwks.json")).json()

        assert kid_of(after) != kid_of(before)
        assert f"signing with {kid_of(after)}" in printed
        assert [key["kid"] for key in jwks["keys"]] == [kid_of(after), kid_of(before)]
        for token in (before, after):
            me = await identity.graphql("{ me { id } }", headers=bearer(token))
            assert me == {"data": {"me": {"id": user["id"]}}}, me


def test_generate_prints_a_private_ed25519_key_for_production(capsys):
    assert main(["identity-keys", "generate"]) == 0

    key = OKPKey.import_key(json.loads(capsys.readouterr().out))

    assert key.as_dict(private=True)["crv"] == "Ed25519"
    assert key.is_private
