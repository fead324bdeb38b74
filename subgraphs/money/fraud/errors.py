"""Errors of fraud screening and review (docs/money.md, "Fraud detection")."""

from __future__ import annotations

from subgraphs.kernel.errors import Conflict, DomainError, Forbidden, NotFound


class MovementHeld(DomainError):
    """The movement did not happen: it waits for an administrator's review."""

    code = "MOVEMENT_HELD"

    def __init__(self, decision_id: str) -> None:
        super().__init__(
            "This movement is on hold for a security review; no money has moved. You will be "
            "notified when it is approved or declined.",
            decisionId=decision_id,
        )


class MovementBlocked(Forbidden):
    def __init__(self, decision_id: str) -> None:
        super().__init__(
            "This movement was refused by our fraud checks; no money has moved. Contact "
            "support if you believe this is a mistake.",
            reason="FRAUD_BLOCKED",
            decisionId=decision_id,
        )


class FraudDecisionNotFound(NotFound):
    def __init__(self, decision_id: str) -> None:
        super().__init__(f"Fraud decision {decision_id} does not exist.", field="decisionId")


class NotAwaitingReview(Conflict):
    def __init__(self, decision_id: str, state: str) -> None:
        super().__init__(
            f"Fraud decision {decision_id} is {state}; only held movements pending review can "
            "be approved or rejected.",
            field="decisionId",
        )


class NoExecutor(Conflict):
    def __init__(self, kind: str) -> None:
        super().__init__(f"Held {kind} movements cannot be executed by this server.")


class IncompleteHold(Conflict):
    """A held movement recorded without something its execution now needs (a withdrawal held
    before withdrawals became payouts has no bank account)."""

    def __init__(self, decision_id: str, kind: str, missing: str) -> None:
        super().__init__(
            f"Held {kind} {decision_id} has no {missing}, so it cannot be executed: reject it, "
            "and the user can start the movement again.",
            field="decisionId",
        )
