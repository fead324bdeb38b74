"""`ehb money-keys rotate` on a real money database: signer metadata moves to the new key."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from router.cli import main
from subgraphs.kernel.db import open_database
from subgraphs.kernel.migrations import migrate_to_head
from subgraphs.kernel.settings import Settings
from subgraphs.money.encryption import FieldKeys, install_field_keys, kid_of
from subgraphs.money.trusty.services import register_signer_key
from tests.subgraphs.money.trusty.trusty_helpers import SignerIdentity


async def _register(url: str, label: str) -> str:
    database = open_database(url)
    try:
        async with database.sessions() as session:
            key = await register_signer_key(
                session,
                user_id=SignerIdentity().user_id,
                public_key=SignerIdentity().public_key_base64,
                label=label,
                contact="room 12",
            )
            await session.commit()
            return key.id
    finally:
        await database.dispose()


async def _stored(url: str) -> list[tuple[str, str]]:
    database = open_database(url)
    try:
        async with database.engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT label, contact FROM money_trusty_signer_keys")
            )
            return [(row.label, row.contact) for row in rows]
    finally:
        await database.dispose()


def test_rotate_writes_a_new_key_and_reencrypts_signer_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("EHB_MONEY_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("EHB_MONEY_DATABASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path)
    url = settings.database_url("money")
    migrate_to_head("money", url)
    old = FieldKeys.from_settings(settings)
    install_field_keys(old)
    asyncio.run(_register(url, "Old label"))

    assert main(["money-keys", "rotate", "--data-dir", str(tmp_path)]) == 0

    new = FieldKeys.from_settings(settings)
    assert new.active.kid != old.active.kid
    assert (
        f"active key {new.active.kid}: re-encrypted 2 value(s); 0 remain" in capsys.readouterr().out
    )
    [(label, contact)] = asyncio.run(_stored(url))
    assert kid_of(label) == kid_of(contact) == new.active.kid
    only_new = FieldKeys([new.active])
    assert only_new.decrypt(label, purpose="money_trusty_signer_keys.label") == "Old label"
    assert main(["money-keys", "reencrypt", "--data-dir", str(tmp_path)]) == 0
    assert "re-encrypted 0 value(s); 0 remain" in capsys.readouterr().out


def test_rotate_refuses_production_keys(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("EHB_ENV", "production")

    assert main(["money-keys", "rotate", "--data-dir", str(tmp_path)]) == 1
    assert "EHB_MONEY_ENCRYPTION_KEYS" in capsys.readouterr().out


def test_rotate_refuses_an_unmigrated_database_and_writes_no_key(
    tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.delenv("EHB_MONEY_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("EHB_MONEY_DATABASE_URL", raising=False)

    assert main(["money-keys", "rotate", "--data-dir", str(tmp_path)]) == 1
    assert "ehb migrate money" in capsys.readouterr().out
    assert not list((tmp_path / "money-keys").glob("*.key"))
