"""The proposal state machine (docs/money.md, "Proposal states"), free of I/O.

    PENDING --M approvals, source HOT------------> EXECUTED
    PENDING --M approvals, source VAULT----------> TIME_LOCKED
    TIME_LOCKED --executed after the delay-------> EXECUTED
    TIME_LOCKED --any signer cancels-------------> CANCELLED
    PENDING --rejections put M out of reach------> REJECTED
    PENDING --expiresAt passes-------------------> EXPIRED
    PENDING --its proposer cancels---------------> CANCELLED

Expiry only limits collecting approvals: a TIME_LOCKED proposal no longer expires.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta


class TrustyAccount(enum.Enum):
    HOT = "HOT"
    VAULT = "VAULT"


class DestinationType(enum.Enum):
    WALLET = "WALLET"
    TRUSTY_HOT = "TRUSTY_HOT"
    TRUSTY_VAULT = "TRUSTY_VAULT"


class ProposalStatus(enum.Enum):
    PENDING = "PENDING"
    TIME_LOCKED = "TIME_LOCKED"
    EXECUTED = "EXECUTED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {
        ProposalStatus.EXECUTED,
        ProposalStatus.REJECTED,
        ProposalStatus.EXPIRED,
        ProposalStatus.CANCELLED,
    }
)


class Decision(enum.Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


def effective_status(status: ProposalStatus, expires_at: datetime, now: datetime) -> ProposalStatus:
    """The status as of `now`: a PENDING proposal past its expiry is EXPIRED."""
    if status is ProposalStatus.PENDING and now >= expires_at:
        return ProposalStatus.EXPIRED
    return status


def status_after_approvals(
    approvals: int, *, threshold: int, time_lock_seconds: int
) -> ProposalStatus:
    """PENDING below the threshold; at it, TIME_LOCKED when there is a delay, else EXECUTED
    (the caller executes the transfer in the same transaction)."""
    if approvals < threshold:
        return ProposalStatus.PENDING
    return ProposalStatus.TIME_LOCKED if time_lock_seconds > 0 else ProposalStatus.EXECUTED


def approval_still_possible(*, rejections: int, signer_count: int, threshold: int) -> bool:
    """Whether the signers who have not rejected can still reach the threshold."""
    return signer_count - rejections >= threshold


def executable_at(approved_at: datetime, time_lock_seconds: int) -> datetime:
    return approved_at + timedelta(seconds=time_lock_seconds)
