"""money double-entry ledger: accounts, hash-chained journal transactions, postings, the chain
head and idempotency keys. Existing wallets get an account (same id); each old
`money_transactions` row becomes a journal transaction against the currency's funding
(deposits) or settlement (withdrawals) system account, its wallet posting keeping the old id.

Revision ID: c3e5a7b9d1f2
Revises: a7b13a1bff6e
Create Date: 2026-11-29 04:20:00.000000
"""

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from alembic import op

revision: str = "c3e5a7b9d1f2"
down_revision: str | Sequence[str] | None = "a7b13a1bff6e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
INCOMING = ("DEPOSIT", "TRANSFER_IN")


def _create_tables() -> None:
    op.create_table(
        "money_accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=True),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("minimum_balance", sa.BigInteger(), nullable=True),
        # subgraphs.kernel.db.UTCDateTime stores this column as UTC.
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minimum_balance IS NULL OR balance >= minimum_balance",
            name=op.f("ck_money_accounts_balance_above_minimum"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_accounts")),
        sa.UniqueConstraint("currency", "purpose", name="uq_money_accounts_currency_purpose"),
    )
    op.create_table(
        "money_journal_transactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("initiated_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_journal_transactions")),
        sa.UniqueConstraint("sequence", name="uq_money_journal_transactions_sequence"),
    )
    op.create_index(
        "ix_money_journal_transactions_reference",
        "money_journal_transactions",
        ["reference"],
        unique=False,
    )
    op.create_table(
        "money_postings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("journal_transaction_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_money_postings_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["money_accounts.id"],
            name=op.f("fk_money_postings_account_id_money_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_transaction_id"],
            ["money_journal_transactions.id"],
            name=op.f("fk_money_postings_journal_transaction_id_money_journal_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_postings")),
        sa.UniqueConstraint(
            "journal_transaction_id", "position", name="uq_money_postings_journal_position"
        ),
    )
    op.create_index(
        "ix_money_postings_account_id_created_at_id",
        "money_postings",
        ["account_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "money_ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_ledger_head")),
    )
    op.create_table(
        "money_idempotency_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_idempotency_keys")),
        sa.UniqueConstraint("scope", "key", name="uq_money_idempotency_keys_scope"),
    )


# A frozen copy of subgraphs/money/chain.py as of this revision (migrations never import app
# code that may change later).
def _chain_hash(
    journal_id: str,
    sequence: int,
    kind: str,
    memo: str,
    created_at: datetime,
    previous_hash: str,
    postings: list[tuple[str, int, str]],
) -> str:
    content = orjson.dumps(
        {
            "createdAt": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "id": journal_id,
            "kind": kind,
            "memo": memo,
            "postings": [
                {"accountId": account, "amount": amount, "currency": currency}
                for account, amount, currency in postings
            ],
            "previousHash": previous_hash,
            "reference": None,
            "sequence": sequence,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(content).hexdigest()


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _migrate_rows() -> None:
    """Accounts for the wallets, one journal transaction per old transaction row, the head."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    def stored(moment: datetime) -> datetime:
        return moment.replace(tzinfo=None) if sqlite else moment

    now = datetime.now(UTC)
    accounts = sa.table(
        "money_accounts",
        *(sa.column(name) for name in ("id", "currency", "kind", "purpose", "balance")),
        sa.column("minimum_balance"),
        sa.column("created_at"),
    )
    balances: dict[str, int] = {}
    wallets = bind.execute(sa.text("SELECT id, currency, created_at FROM money_wallets")).all()
    for wallet_id, currency, created_at in wallets:
        balances[wallet_id] = 0
        op.bulk_insert(
            accounts,
            [
                {
                    "id": wallet_id,
                    "currency": currency,
                    "kind": "wallet",
                    "purpose": None,
                    "balance": 0,
                    "minimum_balance": 0,
                    "created_at": stored(_aware(created_at)),
                }
            ],
        )
    system: dict[tuple[str, str], str] = {}
    rows = bind.execute(
        sa.text(
            "SELECT id, wallet_id, kind, amount, currency, description, created_at "
            "FROM money_transactions ORDER BY created_at, id"
        )
    ).all()
    previous, sequence = GENESIS_HASH, 0
    for row_id, wallet_id, old_kind, amount, currency, description, created_at in rows:
        incoming = old_kind in INCOMING
        purpose = "funding" if incoming else "settlement"
        if (currency, purpose) not in system:
            system[(currency, purpose)] = str(uuid.uuid4())
            balances[system[(currency, purpose)]] = 0
            op.bulk_insert(
                accounts,
                [
                    {
                        "id": system[(currency, purpose)],
                        "currency": currency,
                        "kind": "system",
                        "purpose": purpose,
                        "balance": 0,
                        "minimum_balance": None,
                        "created_at": stored(now),
                    }
                ],
            )
        other = system[(currency, purpose)]
        signed = amount if incoming else -amount
        postings = (
            [(other, -signed, currency), (wallet_id, signed, currency)]
            if incoming
            else [(wallet_id, signed, currency), (other, -signed, currency)]
        )
        kind = {"DEPOSIT": "DEPOSIT", "WITHDRAWAL": "WITHDRAWAL"}.get(old_kind, "TRANSFER")
        moment = _aware(created_at)
        sequence += 1
        journal_id = str(uuid.uuid4())
        digest = _chain_hash(journal_id, sequence, kind, description, moment, previous, postings)
        bind.execute(
            sa.text(
                "INSERT INTO money_journal_transactions (id, sequence, kind, memo, reference, "
                "initiated_by, created_at, previous_hash, hash) VALUES (:id, :sequence, :kind, "
                ":memo, NULL, NULL, :created_at, :previous_hash, :hash)"
            ).bindparams(sa.bindparam("created_at", type_=sa.DateTime(timezone=True))),
            {
                "id": journal_id,
                "sequence": sequence,
                "kind": kind,
                "memo": description,
                "created_at": stored(moment),
                "previous_hash": previous,
                "hash": digest,
            },
        )
        for position, (account_id, posting_amount, posting_currency) in enumerate(postings):
            bind.execute(
                sa.text(
                    "INSERT INTO money_postings (id, journal_transaction_id, position, "
                    "account_id, amount, currency, created_at) VALUES (:id, :journal, "
                    ":position, :account, :amount, :currency, :created_at)"
                ).bindparams(sa.bindparam("created_at", type_=sa.DateTime(timezone=True))),
                {
                    "id": row_id if account_id == wallet_id else str(uuid.uuid4()),
                    "journal": journal_id,
                    "position": position,
                    "account": account_id,
                    "amount": posting_amount,
                    "currency": posting_currency,
                    "created_at": stored(moment),
                },
            )
            balances[account_id] += posting_amount
        previous = digest
    for account_id, balance in balances.items():
        if balance:
            bind.execute(
                sa.text("UPDATE money_accounts SET balance = :balance WHERE id = :id"),
                {"balance": balance, "id": account_id},
            )
    bind.execute(
        sa.text("INSERT INTO money_ledger_head (id, sequence, hash) VALUES (1, :sequence, :hash)"),
        {"sequence": sequence, "hash": previous},
    )


def upgrade() -> None:
    _create_tables()
    _migrate_rows()
    # Dropped before money_wallets is rebuilt: SQLite refuses to drop a table still referenced.
    op.drop_index("ix_money_transactions_wallet_id_created_at_id", table_name="money_transactions")
    op.drop_table("money_transactions")
    with op.batch_alter_table("money_wallets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_money_wallets_balance_not_negative"), type_="check")
        batch_op.drop_column("balance")
        batch_op.create_foreign_key(
            batch_op.f("fk_money_wallets_id_money_accounts"), "money_accounts", ["id"], ["id"]
        )


def downgrade() -> None:
    # money_wallets is rebuilt before money_transactions references it again (SQLite).
    with op.batch_alter_table("money_wallets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_money_wallets_id_money_accounts"), type_="foreignkey")
        batch_op.add_column(
            sa.Column("balance", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE money_wallets SET balance = (SELECT a.balance FROM money_accounts a "
        "WHERE a.id = money_wallets.id)"
    )
    with op.batch_alter_table("money_wallets", schema=None) as batch_op:
        batch_op.alter_column("balance", server_default=None)
        batch_op.create_check_constraint("balance_not_negative", "balance >= 0")
    op.create_table(
        "money_transactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("wallet_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_money_transactions_amount_positive")),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["money_wallets.id"],
            name=op.f("fk_money_transactions_wallet_id_money_wallets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_transactions")),
    )
    op.create_index(
        "ix_money_transactions_wallet_id_created_at_id",
        "money_transactions",
        ["wallet_id", "created_at", "id"],
        unique=False,
    )
    # Wallet postings back to one-sided rows (the ledger's other side has no place there).
    op.execute(
        "INSERT INTO money_transactions (id, wallet_id, kind, amount, currency, description, "
        "created_at) SELECT p.id, p.account_id, CASE WHEN j.kind IN ('DEPOSIT', 'WITHDRAWAL') "
        "THEN j.kind WHEN p.amount > 0 THEN 'TRANSFER_IN' ELSE 'TRANSFER_OUT' END, "
        "ABS(p.amount), p.currency, j.memo, p.created_at FROM money_postings p "
        "JOIN money_journal_transactions j ON j.id = p.journal_transaction_id "
        "JOIN money_wallets w ON w.id = p.account_id"
    )
    op.drop_table("money_idempotency_keys")
    op.drop_table("money_ledger_head")
    op.drop_index("ix_money_postings_account_id_created_at_id", table_name="money_postings")
    op.drop_table("money_postings")
    op.drop_index(
        "ix_money_journal_transactions_reference", table_name="money_journal_transactions"
    )
    op.drop_table("money_journal_transactions")
    op.drop_table("money_accounts")
