"""identity's signing keys: development keys generated once into the data directory (private,
mode 0600), production keys from EHB_IDENTITY_SIGNING_KEYS (newest first signs, all published),
never generated in production; a retired development key drops out once its tokens expired."""

from __future__ import annotations

import json
import stat

import pytest
from pydantic import SecretStr

from subgraphs.identity.keys import ACCESS_TOKEN_TTL_SECONDS, SigningKeys, generate_signing_key
from subgraphs.kernel.auth import CLOCK_SKEW_SECONDS
from subgraphs.kernel.settings import Settings


def test_development_keys_are_generated_once_and_kept_private(tmp_path):
    settings = Settings(data_dir=tmp_path)

    first = SigningKeys.from_settings(settings)
    again = SigningKeys.from_settings(settings)

    [path] = (tmp_path / "identity-keys").glob("*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert first.signing_key.kid == again.signing_key.kid
    assert "d" in json.loads(path.read_text())
    assert all("d" not in key for key in first.public_jwks()["keys"])


def test_production_keys_come_from_the_environment_newest_first(tmp_path):
    newest, older = generate_signing_key(), generate_signing_key()
    document = json.dumps({"keys": [newest.as_dict(private=True), older.as_dict(private=True)]})
    settings = Settings(
        env="production", data_dir=tmp_path, identity_signing_keys=SecretStr(document)
    )

    keys = SigningKeys.from_settings(settings)

    assert keys.signing_key.kid == newest.kid
    assert [key["kid"] for key in keys.public_jwks()["keys"]] == [newest.kid, older.kid]
    assert not (tmp_path / "identity-keys").exists()


def test_production_without_keys_refuses_to_start(tmp_path):
    with pytest.raises(RuntimeError, match="EHB_IDENTITY_SIGNING_KEYS"):
        SigningKeys.from_settings(Settings(env="production", data_dir=tmp_path))


def test_public_keys_are_not_signing_keys():
    public_only = json.dumps({"keys": [generate_signing_key().as_dict(private=False)]})

    with pytest.raises(ValueError, match="private Ed25519"):
        SigningKeys.from_jwks(public_only)


def test_a_retired_key_stays_published_until_its_tokens_expired_then_drops_out(tmp_path):
    directory = tmp_path / "identity-keys"
    start = 1_000_000.0
    keys = SigningKeys.from_directory(directory, now=start)
    old = keys.signing_key.kid
    new = keys.rotate(now=start + 60).kid
    grace = ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS

    keys.reload(now=start + 60 + grace)
    still = [key["kid"] for key in keys.public_jwks()["keys"]]
    keys.reload(now=start + 60 + grace + 1)
    later = [key["kid"] for key in keys.public_jwks()["keys"]]

    assert still == [new, old]
    assert later == [new]
    assert keys.signing_key.kid == new
    assert len(list(directory.glob("*.json"))) == 1  # the retired private key is deleted
