"""The domain enums registered as GraphQL enums (one definition, imported by types and inputs)."""

from __future__ import annotations

import strawberry

from subgraphs.identity import models

Role = strawberry.enum(models.Role, name="Role", description="What a user may do.")
UserStatus = strawberry.enum(models.UserStatus, name="UserStatus")
