"""identity's domain errors."""

from __future__ import annotations

from subgraphs.kernel.errors import BadUserInput, Conflict


class InvalidEmail(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid email address: {reason}.", field="email")


class EmailAlreadyRegistered(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(f"A user with email {email} already exists.", field="email")
