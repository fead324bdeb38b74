"""What payments adds to money's schema (subgraphs/money/schema.py merges it)."""

from __future__ import annotations

from subgraphs.money.payments.mutations import PaymentsMutation
from subgraphs.money.payments.queries import PaymentsQuery

__all__ = ["PaymentsMutation", "PaymentsQuery"]
