"""Re-encrypting stored money fields with the active key, and `ehb money-keys`.

`reencrypt_stored_values` walks every `EncryptedText` column of money's metadata in primary-key
order, in batches, and rewrites each value whose kid is not the active key's. It reads and
writes the raw stored text (no TypeDecorator round trip), so values already under the active key
are left alone and running it twice is harmless. The caller commits (the CLI commits once, at
the end: an interrupted run changes nothing and can simply be started again).

`ehb money-keys ACTION [--data-dir DIR]` (router/cli.py dispatches here):
- `generate`: print a new `<kid>:<key>` entry to put FIRST in `EHB_MONEY_ENCRYPTION_KEYS`.
- `rotate` (development only): write a new key file into `<data-dir>/money-keys/` (it becomes
  active) and re-encrypt the money database with it.
- `reencrypt`: re-encrypt the money database with the active key (production: after putting a
  new entry first in `EHB_MONEY_ENCRYPTION_KEYS`); prints how many values it rewrote and how
  many remain under other keys (0 when the old keys may be dropped).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    ColumnElement,
    MetaData,
    Table,
    and_,
    func,
    not_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from subgraphs.kernel.settings import Settings
from subgraphs.money.encryption import (
    FORMAT_VERSION,
    KEYS_DIRECTORY,
    EncryptedText,
    FieldKey,
    FieldKeys,
    install_field_keys,
    write_key_file,
)

BATCH_SIZE = 500


@dataclass(slots=True)
class RotationReport:
    reencrypted: dict[str, int] = field(default_factory=dict)  # "<table>.<column>" -> count

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, Column[str]]]:
    found: list[tuple[Table, Column[str]]] = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                found.append((table, column))
    return found


async def _reencrypt_column(
    session: AsyncSession, table: Table, column: Column[str], keys: FieldKeys, purpose: str
) -> int:
    primary_key = list(table.primary_key.columns)
    if len(primary_key) != 1:
        raise ValueError(f"{table.name}: re-encryption needs a single-column primary key")
    key_column = primary_key[0]
    raw = type_coerce(column, Text)
    rewritten = 0
    after: object | None = None
    while True:
        query = select(key_column, raw).where(_under_other_keys(column, keys)).order_by(key_column)
        if after is not None:
            query = query.where(key_column > after)
        rows = (await session.execute(query.limit(BATCH_SIZE))).all()
        if not rows:
            return rewritten
        for row_id, stored in rows:
            replacement = keys.reencrypt(stored, purpose=purpose)
            if replacement is not None:
                await session.execute(
                    update(table)
                    .where(key_column == row_id)
                    .values({column.name: type_coerce(replacement, Text)})
                )
                rewritten += 1
        after = rows[-1][0]


async def reencrypt_stored_values(
    session: AsyncSession, metadata: MetaData, keys: FieldKeys
) -> RotationReport:
    """Rewrite every stored value of an `EncryptedText` column that is not under the active key."""
    report = RotationReport()
    for table, column in encrypted_columns(metadata):
        assert isinstance(column.type, EncryptedText)
        count = await _reencrypt_column(session, table, column, keys, column.type.purpose)
        report.reencrypted[f"{table.name}.{column.name}"] = count
    return report


def _under_other_keys(column: Column[str], keys: FieldKeys) -> ColumnElement[bool]:
    """Stored values of `column` not under the active key (the kid is the second dot field)."""
    prefix = f"{FORMAT_VERSION}.{keys.active.kid}."
    return and_(
        column.isnot(None), not_(type_coerce(column, Text).startswith(prefix, autoescape=True))
    )


async def count_under_other_keys(session: AsyncSession, metadata: MetaData, keys: FieldKeys) -> int:
    """How many stored encrypted values are not under the active key."""
    remaining = 0
    for table, column in encrypted_columns(metadata):
        counted = await session.scalar(
            select(func.count()).select_from(table).where(_under_other_keys(column, keys))
        )
        remaining += int(counted or 0)
    return remaining


async def _reencrypt_database(settings: Settings, keys: FieldKeys) -> tuple[RotationReport, int]:
    from subgraphs.kernel.db import open_database
    from subgraphs.money import app  # noqa: F401  (imports every money model module)
    from subgraphs.money.models import Base

    database = open_database(settings.database_url("money"), settings)
    try:
        async with database.sessions() as session:
            report = await reencrypt_stored_values(session, Base.metadata, keys)
            await session.commit()
            remaining = await count_under_other_keys(session, Base.metadata, keys)
    finally:
        await database.dispose()
    return report, remaining


def _database_at_head(settings: Settings) -> bool:
    from subgraphs.kernel.migrations import current_revision_is_head_async

    return asyncio.run(current_revision_is_head_async("money", settings.database_url("money")))


def run_money_keys(action: str, data_dir: Path | None = None) -> int:
    """`ehb money-keys generate | rotate | reencrypt`; returns the exit status."""
    if action == "generate":
        print(FieldKey.generate().entry())
        return 0
    if action not in ("rotate", "reencrypt"):
        raise ValueError(f"unknown money-keys action {action!r}")
    settings = Settings() if data_dir is None else Settings(data_dir=data_dir)
    if action == "rotate" and settings.is_production:
        print(
            "ehb money-keys: production keys rotate by putting a new entry first in "
            "EHB_MONEY_ENCRYPTION_KEYS, then `ehb money-keys reencrypt`"
        )
        return 1
    if not _database_at_head(settings):
        print(
            "ehb money-keys: the money database is not migrated to its head; run "
            "`ehb migrate money` first (no key written, nothing re-encrypted)"
        )
        return 1
    if action == "rotate":
        write_key_file(settings.data_dir / KEYS_DIRECTORY, FieldKey.generate())
    keys = FieldKeys.from_settings(settings)
    install_field_keys(keys)
    report, remaining = asyncio.run(_reencrypt_database(settings, keys))
    print(
        f"active key {keys.active.kid}: re-encrypted {report.total} value(s); "
        f"{remaining} remain under other keys"
    )
    return 0
