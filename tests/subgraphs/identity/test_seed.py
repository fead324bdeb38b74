"""identity's demo seed creates the shared demo users once, with their deterministic ids."""

from __future__ import annotations

from sqlalchemy import func, select

from subgraphs.identity.models import Role, User
from subgraphs.identity.seed import seed_demo
from subgraphs.kernel.db import open_database
from subgraphs.kernel.demo import DEMO_USERS, demo_user_id
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.testing import migrated_settings


async def test_seed_is_idempotent_and_uses_the_shared_demo_ids(tmp_path):
    settings = await migrated_settings("identity", tmp_path)
    database = open_database(settings.database_url("identity"))
    try:
        await seed_demo_data("identity", settings)
        async with database.sessions() as session:
            await seed_demo(session)
            await session.commit()

        async with database.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(User))
            carol = await session.get(User, demo_user_id("carol"))
    finally:
        await database.dispose()

    assert count == len(DEMO_USERS)
    assert carol is not None
    assert Role.SELLER in carol.role_set


async def test_a_development_seed_gives_demo_users_a_generated_password(tmp_path, monkeypatch):
    import stat

    from subgraphs.identity.passwords import verify_password
    from subgraphs.identity.seed import DEMO_PASSWORD_FILE

    monkeypatch.setenv("EHB_DATA_DIR", str(tmp_path))
    settings = await migrated_settings("identity", tmp_path)
    await seed_demo_data("identity", settings)
    await seed_demo_data("identity", settings)  # idempotent: the same password

    path = tmp_path / DEMO_PASSWORD_FILE
    password = path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(password) > 20
    database = open_database(settings.database_url("identity"))
    try:
        async with database.sessions() as session:
            alice = await session.get(User, demo_user_id("alice"))
    finally:
        await database.dispose()
    assert alice is not None and verify_password(alice.password_hash, password).ok


async def test_without_a_data_directory_setting_demo_users_have_no_password(tmp_path, monkeypatch):
    monkeypatch.delenv("EHB_DATA_DIR", raising=False)
    settings = await migrated_settings("identity", tmp_path)
    await seed_demo_data("identity", settings)

    database = open_database(settings.database_url("identity"))
    try:
        async with database.sessions() as session:
            alice = await session.get(User, demo_user_id("alice"))
    finally:
        await database.dispose()
    assert alice is not None and alice.password_hash is None
    assert not any(tmp_path.glob("*password*"))
