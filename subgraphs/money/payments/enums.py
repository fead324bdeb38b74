"""The payment domain enums registered as GraphQL enums (one definition each). Imported by
`inputs.py` and `types.py` before either uses an enum, so Strawberry never makes a second,
undescribed definition of one."""

from __future__ import annotations

import strawberry

from subgraphs.money.payments import models

strawberry.enum(models.PaymentMethodKind, name="PaymentMethodKind", description="How a payer pays.")
strawberry.enum(models.PaymentPurpose, name="PaymentPurpose", description="What a payment is for.")
strawberry.enum(
    models.PaymentStatus,
    name="PaymentStatus",
    description=(
        "Where a payment intent is: CREATED -> (REQUIRES_ACTION ->) PROCESSING -> SUCCEEDED "
        "or FAILED; CANCELED before processing. The last three are final."
    ),
)
strawberry.enum(models.RefundStatus, name="RefundStatus")
