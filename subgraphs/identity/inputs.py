"""identity's GraphQL input types."""

from __future__ import annotations

import strawberry


@strawberry.input
class RegisterUserInput:
    email: str = strawberry.field(description="Trimmed; the domain is lower-cased.")
    display_name: str = strawberry.field(description="1 to 80 characters after trimming.")
