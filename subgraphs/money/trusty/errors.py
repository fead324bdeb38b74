"""Trusty wallets' domain errors (each names the input field to fix)."""

from __future__ import annotations

from datetime import datetime

from subgraphs.kernel.errors import BadUserInput, Conflict, Forbidden, NotFound


class InvalidPublicKey(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"publicKey is not a usable Ed25519 public key: {reason}. Give the raw 32-byte key "
            "in base64 (or a PEM SubjectPublicKeyInfo).",
            field="publicKey",
        )


class SignerKeyAlreadyRegistered(Conflict):
    def __init__(self) -> None:
        super().__init__("This public key is already registered.", field="publicKey")


class SignerKeyNotFound(NotFound):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"Signer key {key_id} does not exist.", field="signerKeyIds")


class InvalidSignerSet(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid signers: {reason}.", field="signerKeyIds")


class InvalidThreshold(BadUserInput):
    def __init__(self, threshold: int, signer_count: int) -> None:
        super().__init__(
            f"threshold must be between 1 and the number of signers ({signer_count}), "
            f"got {threshold}.",
            field="threshold",
        )


class TrustyWalletNotFound(NotFound):
    def __init__(self, trusty_wallet_id: str) -> None:
        super().__init__(
            f"Trusty wallet {trusty_wallet_id} does not exist.", field="trustyWalletId"
        )


class NotASigner(Forbidden):
    def __init__(self, what: str) -> None:
        super().__init__(f"Only the signers of {what} may do this.")


class ProposalNotFound(NotFound):
    def __init__(self, proposal_id: str) -> None:
        super().__init__(f"Proposal {proposal_id} does not exist.", field="proposalId")


class InvalidDestination(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid destination: {reason}.", field="destination")


class InvalidFundingSource(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid fromWalletId: {reason}.", field="fromWalletId")


class InvalidExpiry(BadUserInput):
    def __init__(self, minimum: int, maximum: int) -> None:
        super().__init__(
            f"expiresInSeconds must be between {minimum} and {maximum}.", field="expiresInSeconds"
        )


class ProposalNotOpen(Conflict):
    def __init__(self, proposal_id: str, status: str, action: str) -> None:
        super().__init__(
            f"Proposal {proposal_id} is {status}; it can no longer be {action}.",
            field="proposalId",
        )


class AlreadyDecided(Conflict):
    def __init__(self, proposal_id: str, decision: str) -> None:
        super().__init__(
            f"You already recorded {decision} on proposal {proposal_id}; a signer decides once.",
            field="proposalId",
        )


class InvalidSignature(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"signature rejected: {reason}. Sign the proposal's canonicalContent (its exact "
            "UTF-8 bytes) with the Ed25519 key you joined the trusty wallet with, and send the "
            "64-byte signature in base64.",
            field="signature",
        )


class OnlyProposerCancelsPending(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only the proposer may cancel a PENDING proposal; other signers reject it."
        )


class StillTimeLocked(Conflict):
    def __init__(self, proposal_id: str, executable_at: datetime) -> None:
        super().__init__(
            f"Proposal {proposal_id} is time-locked until {executable_at.isoformat()}; execute "
            "it after that (any signer may cancel it meanwhile).",
            field="proposalId",
            executableAt=executable_at.isoformat(),
        )


class NotTimeLocked(Conflict):
    def __init__(self, proposal_id: str, status: str) -> None:
        super().__init__(
            f"Proposal {proposal_id} is {status}; only a TIME_LOCKED proposal is executed "
            "with executeTrustyProposal (others execute on their last approval).",
            field="proposalId",
        )
