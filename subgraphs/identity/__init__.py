"""identity: users, their roles and status (owner of the `User` entity)."""
