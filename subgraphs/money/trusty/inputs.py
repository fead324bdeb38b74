"""Trusty wallets' GraphQL input types."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.scalars import Long
from subgraphs.money.inputs import IDEMPOTENCY_KEY
from subgraphs.money.trusty import enums  # noqa: F401  (registers the GraphQL enums)
from subgraphs.money.trusty.states import TrustyAccount


@strawberry.input
class RegisterSignerKeyInput:
    public_key: str = strawberry.field(
        description="Your Ed25519 public key: its raw 32 bytes in base64 (standard or URL-safe), "
        "or a PEM SubjectPublicKeyInfo. Keep the private key yourself: the platform never sees it."
    )
    label: str = strawberry.field(description="1 to 100 characters, e.g. 'YubiKey 5C'. Encrypted.")
    contact: str | None = strawberry.field(
        default=None, description="At most 200 characters, how co-signers reach you. Encrypted."
    )


@strawberry.input
class CreateTrustyWalletInput:
    name: str = strawberry.field(description="1 to 100 characters.")
    currency: str = strawberry.field(description="ISO 4217 code of everything it holds.")
    threshold: int = strawberry.field(description="M: approvals a transfer needs (1..N).")
    signer_key_ids: list[strawberry.ID] = strawberry.field(
        description="N signer keys of N different users (yours among them); each of them signs "
        "with that key."
    )


@strawberry.input
class FundTrustyWalletInput:
    trusty_wallet_id: strawberry.ID
    from_wallet_id: strawberry.ID = strawberry.field(
        description="One of your ACTIVE wallets in the trusty wallet's currency."
    )
    amount: Long = strawberry.field(description="Minor units, > 0, at most the balance.")
    into: TrustyAccount = strawberry.field(
        default=TrustyAccount.HOT, description="HOT (default) or the VAULT (cold storage)."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class ProposeTrustyTransferInput:
    trusty_wallet_id: strawberry.ID
    source: TrustyAccount = strawberry.field(
        default=TrustyAccount.HOT,
        description="HOT (default) or VAULT; a VAULT withdrawal also waits the time lock.",
    )
    destination_wallet_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A money wallet in the same currency. Exactly one of this and "
        "destinationAccount.",
    )
    destination_account: TrustyAccount | None = strawberry.field(
        default=None,
        description="The trusty wallet's other account (HOT -> VAULT puts money in cold "
        "storage). Exactly one of this and destinationWalletId.",
    )
    amount: Long = strawberry.field(description="Minor units, > 0.")
    memo: str | None = strawberry.field(
        default=None, description="At most 200 characters; defaults to 'Trusty wallet transfer'."
    )
    expires_in_seconds: int | None = strawberry.field(
        default=None,
        description="How long approvals are collected (EHB_TRUSTY_MIN_EXPIRY_SECONDS, 60, to "
        "EHB_TRUSTY_MAX_EXPIRY_SECONDS, 30 days; "
        "default EHB_TRUSTY_DEFAULT_EXPIRY_SECONDS, 7 days).",
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class ApproveTrustyProposalInput:
    proposal_id: strawberry.ID
    signature: str = strawberry.field(
        description="Base64 of your key's 64-byte Ed25519 signature over the proposal's "
        "canonicalContent (its exact UTF-8 bytes)."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.input
class RejectTrustyProposalInput:
    proposal_id: strawberry.ID
    reason: str | None = strawberry.field(default=None, description="At most 200 characters.")


@strawberry.input
class CancelTrustyProposalInput:
    proposal_id: strawberry.ID


@strawberry.input
class ExecuteTrustyProposalInput:
    proposal_id: strawberry.ID
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
