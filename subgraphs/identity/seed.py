"""identity's demo data: the shared demo users (idempotent).

No password is committed. When the seed runs for a development data directory (`ehb dev --seed`
sets `EHB_DATA_DIR`; never with `EHB_ENV=production`), one random demo password is generated on
the first run into `<EHB_DATA_DIR>/identity-demo-password.txt` (mode 0600) and given to every
demo user that has none, so a developer can sign in as alice@example.com and the others. Without
`EHB_DATA_DIR` (tests, other tools) the demo users stay passwordless: a password reset through the
development mailbox `<EHB_DATA_DIR>/mail/` sets one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.models import Role
from subgraphs.identity.passwords import hash_password_off_loop
from subgraphs.identity.services import get_user, register_user
from subgraphs.kernel.demo import DEMO_USERS
from subgraphs.kernel.settings import Settings

DEMO_PASSWORD_FILE = "identity-demo-password.txt"


def demo_password_file() -> Path | None:
    """Where the development demo password lives, or None when none may be made."""
    if "EHB_DATA_DIR" not in os.environ:
        return None
    settings = Settings()
    if settings.is_production:
        return None
    return settings.data_dir / DEMO_PASSWORD_FILE


def demo_password(path: Path) -> str:
    """The demo password stored at `path`, generated (and stored, 0600) on first use."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = f"demo-{secrets.token_urlsafe(18)}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return password


async def seed_demo(session: AsyncSession) -> None:
    path = demo_password_file()
    password = demo_password(path) if path is not None else None
    for demo in DEMO_USERS:
        user = await get_user(session, user_id=demo.id)
        if user is None:
            user = await register_user(
                session,
                user_id=demo.id,
                email=demo.email,
                display_name=demo.display_name,
                roles=[Role(role) for role in demo.roles],
            )
        if password is not None and user.password_hash is None:
            user.password_hash = await hash_password_off_loop(password)
    await session.flush()
