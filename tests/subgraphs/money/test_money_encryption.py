"""Field encryption at rest: round trips, tampering, wrong keys, rotation and the column type."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kernel.db import new_metadata, open_database
from subgraphs.kernel.settings import Settings
from subgraphs.money.encryption import (
    DecryptionFailed,
    EncryptedText,
    EncryptionSettings,
    FieldKey,
    FieldKeys,
    FieldKeysMissing,
    MalformedEncryptedValue,
    UnknownEncryptionKey,
    install_field_keys,
    kid_of,
    write_key_file,
)
from subgraphs.money.key_rotation import (
    count_under_other_keys,
    reencrypt_stored_values,
    run_money_keys,
)

PURPOSE = "money_bank_accounts.account_number"


class _Base(DeclarativeBase):
    metadata = new_metadata()


class _Secret(_Base):
    __tablename__ = "money_test_secrets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    value: Mapped[str | None] = mapped_column(EncryptedText("money_test_secrets.value"))


def test_round_trip_gives_back_the_plaintext_and_hides_it():
    keys = FieldKeys([FieldKey.generate()])

    stored = keys.encrypt("DE89 3704 0044 0532 0130 00", purpose=PURPOSE)

    assert "3704" not in stored
    assert stored.startswith(f"v1.{keys.active.kid}.")
    assert keys.decrypt(stored, purpose=PURPOSE) == "DE89 3704 0044 0532 0130 00"
    assert keys.encrypt("same", purpose=PURPOSE) != keys.encrypt("same", purpose=PURPOSE)
    assert keys.decrypt(keys.encrypt("", purpose=PURPOSE), purpose=PURPOSE) == ""
    assert keys.decrypt(keys.encrypt("żółw €", purpose=PURPOSE), purpose=PURPOSE) == "żółw €"


def test_a_tampered_value_fails_to_decrypt():
    keys = FieldKeys([FieldKey.generate()])
    stored = keys.encrypt("tok_visa_4242", purpose=PURPOSE)
    prefix, body = stored.rsplit(".", 1)
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]

    with pytest.raises(DecryptionFailed):
        keys.decrypt(f"{prefix}.{flipped}", purpose=PURPOSE)
    with pytest.raises(MalformedEncryptedValue):
        keys.decrypt(f"{prefix}.{body[:8]}", purpose=PURPOSE)
    with pytest.raises(MalformedEncryptedValue):
        keys.decrypt("plaintext that was never encrypted", purpose=PURPOSE)


def test_a_value_moved_to_another_column_fails_to_decrypt():
    keys = FieldKeys([FieldKey.generate()])
    stored = keys.encrypt("tok_visa_4242", purpose="money_payment_methods.provider_token")

    with pytest.raises(DecryptionFailed):
        keys.decrypt(stored, purpose=PURPOSE)


def test_a_relabelled_kid_fails_even_when_that_key_exists():
    first, second = FieldKey.generate(), FieldKey.generate()
    keys = FieldKeys([first, second])
    stored = keys.encrypt("secret", purpose=PURPOSE)

    relabelled = stored.replace(f".{first.kid}.", f".{second.kid}.", 1)

    with pytest.raises(DecryptionFailed):
        keys.decrypt(relabelled, purpose=PURPOSE)


def test_a_value_under_an_unconfigured_key_names_the_missing_kid():
    old = FieldKeys([FieldKey.generate()])
    stored = old.encrypt("secret", purpose=PURPOSE)
    other = FieldKeys([FieldKey.generate()])

    with pytest.raises(UnknownEncryptionKey) as raised:
        other.decrypt(stored, purpose=PURPOSE)
    assert raised.value.kid == old.active.kid


def test_a_different_key_under_the_same_kid_fails_authentication():
    real = FieldKey.generate()
    impostor = FieldKey(kid=real.kid, secret=FieldKey.generate().secret)
    stored = FieldKeys([real]).encrypt("secret", purpose=PURPOSE)

    with pytest.raises(DecryptionFailed):
        FieldKeys([impostor]).decrypt(stored, purpose=PURPOSE)


def test_rotation_decrypts_with_any_key_and_encrypts_with_the_first():
    old, new = FieldKey.generate(), FieldKey.generate()
    stored_old = FieldKeys([old]).encrypt("secret", purpose=PURPOSE)
    rotated = FieldKeys([new, old])

    assert rotated.decrypt(stored_old, purpose=PURPOSE) == "secret"
    again = rotated.reencrypt(stored_old, purpose=PURPOSE)
    assert again is not None and kid_of(again) == new.kid
    assert rotated.reencrypt(again, purpose=PURPOSE) is None
    assert FieldKeys([new]).decrypt(again, purpose=PURPOSE) == "secret"


def test_setting_lists_keys_first_active_and_rejects_bad_entries():
    first, second = FieldKey.generate(), FieldKey.generate()

    keys = FieldKeys.from_setting(f"{first.entry()}, {second.entry()}")

    assert keys.active.kid == first.kid
    assert keys.kids == [first.kid, second.kid]
    assert first.entry().split(":")[1] not in repr(keys.active)
    with pytest.raises(ValueError, match="kid"):
        FieldKeys.from_setting("no-separator-here")
    with pytest.raises(ValueError, match="32 bytes"):
        FieldKeys.from_setting("k1:c2hvcnQ")
    with pytest.raises(ValueError, match="duplicate"):
        FieldKeys.from_setting(f"{first.entry()},{first.entry()}")


def test_development_keys_are_generated_once_private_and_newest_active(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    encryption = EncryptionSettings(encryption_keys=None)

    first = FieldKeys.from_settings(settings, encryption)
    again = FieldKeys.from_settings(settings, encryption)
    files = list((tmp_path / "money-keys").glob("*.key"))

    assert again.active.kid == first.active.kid
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    newer = FieldKey.generate()
    write_key_file(tmp_path / "money-keys", newer, created_at=0)  # still sorts newest
    rotated = FieldKeys.from_settings(settings, encryption)
    assert rotated.active.kid == newer.kid
    assert set(rotated.kids) == {first.active.kid, newer.kid}


def test_production_refuses_to_run_without_configured_keys(tmp_path: Path):
    settings = Settings(env="production", data_dir=tmp_path)

    with pytest.raises(FieldKeysMissing, match="EHB_MONEY_ENCRYPTION_KEYS"):
        FieldKeys.from_settings(settings, EncryptionSettings(encryption_keys=None))
    assert not (tmp_path / "money-keys").exists()
    key = FieldKey.generate()
    configured = FieldKeys.from_settings(
        settings, EncryptionSettings.model_validate({"encryption_keys": key.entry()})
    )
    assert configured.active.kid == key.kid


async def test_encrypted_column_stores_ciphertext_and_rotation_rewrites_it(tmp_path: Path):
    old, new = FieldKey.generate(), FieldKey.generate()
    install_field_keys(FieldKeys([old]))
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'secrets.db'}")
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_Base.metadata.create_all)
        async with database.sessions() as session:
            session.add_all([_Secret(id=f"row-{n:03d}", value=f"secret {n}") for n in range(7)])
            session.add(_Secret(id="row-null", value=None))
            await session.commit()

        async with database.sessions() as session:
            raw = await session.scalar(
                text("SELECT value FROM money_test_secrets WHERE id='row-001'")
            )
            assert raw.startswith(f"v1.{old.kid}.") and "secret" not in raw
            assert (await session.get(_Secret, "row-001")).value == "secret 1"

        rotated = FieldKeys([new, old])
        install_field_keys(rotated)
        async with database.sessions() as session:
            assert await count_under_other_keys(session, _Base.metadata, rotated) == 7
            report = await reencrypt_stored_values(session, _Base.metadata, rotated)
            await session.commit()
            assert report.reencrypted == {"money_test_secrets.value": 7}
            assert await count_under_other_keys(session, _Base.metadata, rotated) == 0
            again = await reencrypt_stored_values(session, _Base.metadata, rotated)
            assert again.total == 0

        async with database.sessions() as session:
            raws = (await session.scalars(text("SELECT value FROM money_test_secrets"))).all()
            assert all(raw is None or kid_of(raw) == new.kid for raw in raws)
            only_new = FieldKeys([new])
            row = await session.scalar(select(_Secret.value).where(_Secret.id == "row-006"))
            assert row == "secret 6"
            stored = await session.scalar(
                text("SELECT value FROM money_test_secrets WHERE id='row-006'")
            )
            assert only_new.decrypt(stored, purpose="money_test_secrets.value") == "secret 6"
    finally:
        await database.dispose()


def test_generate_prints_a_usable_key_entry(capsys: pytest.CaptureFixture[str]):
    assert run_money_keys("generate") == 0

    entry = capsys.readouterr().out.strip()

    assert FieldKeys.from_setting(entry).active.entry() == entry


async def test_rotation_treats_underscores_in_kids_literally(tmp_path: Path):
    active, lookalike = FieldKey.generate(), FieldKey.generate()
    active = FieldKey(kid="k_1", secret=active.secret)
    lookalike = FieldKey(kid="kX1", secret=lookalike.secret)
    install_field_keys(FieldKeys([lookalike]))
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'kids.db'}")
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_Base.metadata.create_all)
        async with database.sessions() as session:
            session.add(_Secret(id="row", value="secret"))
            await session.commit()
        keys = FieldKeys([active, lookalike])
        install_field_keys(keys)
        async with database.sessions() as session:
            assert await count_under_other_keys(session, _Base.metadata, keys) == 1
            report = await reencrypt_stored_values(session, _Base.metadata, keys)
            assert report.total == 1
            assert await count_under_other_keys(session, _Base.metadata, keys) == 0
    finally:
        await database.dispose()
