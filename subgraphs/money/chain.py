"""The journal's hash chain: the canonical content of a journal transaction and its SHA-256.

The canonical content (docs/money.md, "Tamper evidence") is the UTF-8 JSON object, keys sorted,
no whitespace:

    {"createdAt": "2026-11-29T04:05:06.123456Z", "id": "<uuid>", "kind": "TRANSFER",
     "memo": "...", "postings": [{"accountId": "<uuid>", "amount": -500, "currency": "EUR"},
     ...in position order], "previousHash": "<64 hex>", "reference": null, "sequence": 7}

and `hash = sha256(canonical content).hexdigest()`. The first transaction's previous hash is
64 zeros (`models.GENESIS_HASH`); every other's is its predecessor's hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson


@dataclass(frozen=True, slots=True)
class ChainedPosting:
    account_id: str
    amount: int
    currency: str


def canonical_timestamp(moment: datetime) -> str:
    """`moment` in UTC with microseconds and a `Z` (what every backend gives back)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_content(
    *,
    transaction_id: str,
    sequence: int,
    kind: str,
    memo: str,
    reference: str | None,
    created_at: datetime,
    previous_hash: str,
    postings: Sequence[ChainedPosting],
) -> bytes:
    return orjson.dumps(
        {
            "createdAt": canonical_timestamp(created_at),
            "id": transaction_id,
            "kind": kind,
            "memo": memo,
            "postings": [
                {"accountId": p.account_id, "amount": p.amount, "currency": p.currency}
                for p in postings
            ],
            "previousHash": previous_hash,
            "reference": reference,
            "sequence": sequence,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def chain_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
