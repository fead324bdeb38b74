"""identity's business logic. Functions take the session, never commit, never import Strawberry.

Accounts here; sign-in and sessions in `authentication`, the audit log in `audit`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.audit import AuditKind, Client, record
from subgraphs.identity.authentication import revoke_all_sessions
from subgraphs.identity.emails import normalise_email
from subgraphs.identity.errors import EmailAlreadyRegistered
from subgraphs.identity.models import Role, User, UserStatus
from subgraphs.identity.passwords import check_password_policy, hash_password_off_loop
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.errors import Conflict, Forbidden, NotFound
from subgraphs.kernel.pagination import Page, paginate
from subgraphs.kernel.validation import required_text

MAX_DISPLAY_NAME = 80


async def get_user(session: AsyncSession, *, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def list_users(session: AsyncSession, *, first: int | None, after: str | None) -> Page[User]:
    return await paginate(session, select(User), first=first, after=after)


async def register_user(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    roles: Iterable[Role] = (Role.USER,),
    user_id: str | None = None,
    client: Client | None = None,
) -> User:
    """Create an ACTIVE user; CONFLICT when the (normalised) email is taken, BAD_USER_INPUT for
    a password the policy refuses. Without a password the account cannot sign in until a
    password reset sets one."""
    email = normalise_email(email)
    display_name = required_text(display_name, field="displayName", max_length=MAX_DISPLAY_NAME)
    if password is not None:
        check_password_policy(password)
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailAlreadyRegistered(email)
    user = User(
        email=email,
        display_name=display_name,
        roles=sorted({role.value for role in roles}),
        status=UserStatus.ACTIVE,
        password_hash=await hash_password_off_loop(password) if password is not None else None,
    )
    if user_id is not None:
        user.id = user_id
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailAlreadyRegistered(email) from exc
    if client is not None:
        record(session, AuditKind.USER_REGISTERED, client=client, user_id=user.id, email=email)
    return user


# --- administration (admin scope and ADMIN role, checked here as well as in the schema) ---------


async def require_admin(session: AsyncSession, viewer: Viewer) -> User:
    """The acting administrator: the token must carry the `admin` scope and the account must
    still hold ADMIN, be ACTIVE and the session unrevoked (UNAUTHENTICATED / FORBIDDEN)."""
    from subgraphs.identity.authentication import current_user

    viewer.require_scope("admin")
    admin = await current_user(session, viewer)
    if Role.ADMIN not in admin.role_set:
        raise Forbidden("This needs the admin role.")
    return admin


async def search_users(
    session: AsyncSession,
    *,
    query: str | None,
    role: Role | None,
    status: UserStatus | None,
    first: int | None,
    after: str | None,
) -> Page[User]:
    """Users whose email or display name contains `query` (case-insensitive), oldest first."""
    statement = select(User)
    if query:
        escaped = query.strip().lower()
        for special in ("\\", "%", "_"):
            escaped = escaped.replace(special, "\\" + special)
        pattern = f"%{escaped}%"
        statement = statement.where(
            func.lower(User.email).like(pattern, escape="\\")
            | func.lower(User.display_name).like(pattern, escape="\\")
        )
    if status is not None:
        statement = statement.where(User.status == status)
    if role is not None:
        # roles is a small JSON list of names: match the quoted name in its text.
        statement = statement.where(cast(User.roles, String).like(f'%"{role.value}"%'))
    return await paginate(session, statement, first=first, after=after)


async def _target(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


async def assign_role(
    session: AsyncSession, *, admin: User, user_id: str, role: Role, client: Client
) -> User:
    user = await _target(session, user_id)
    if role.value not in user.roles:
        user.roles = sorted({*user.roles, role.value})
        record(
            session,
            AuditKind.ROLE_ASSIGNED,
            client=client,
            user_id=user.id,
            actor_id=admin.id,
            details={"role": role.value},
        )
        await session.flush()
    return user


async def remove_role(
    session: AsyncSession, *, admin: User, user_id: str, role: Role, client: Client
) -> User:
    if role is Role.USER:
        raise Conflict("Every account has the USER role.")
    if role is Role.ADMIN and user_id == admin.id:
        raise Conflict("Administrators cannot remove their own ADMIN role.")
    user = await _target(session, user_id)
    if role.value in user.roles:
        user.roles = sorted(set(user.roles) - {role.value})
        record(
            session,
            AuditKind.ROLE_REMOVED,
            client=client,
            user_id=user.id,
            actor_id=admin.id,
            details={"role": role.value},
        )
        await session.flush()
    return user


async def disable_user(
    session: AsyncSession, *, admin: User, user_id: str, reason: str | None, client: Client
) -> User:
    """SUSPENDED, and every session revoked (access tokens stop working in identity at once;
    elsewhere they expire within 15 minutes and cannot be refreshed)."""
    if user_id == admin.id:
        raise Conflict("Administrators cannot disable their own account.")
    user = await _target(session, user_id)
    if user.status is UserStatus.DELETED:
        raise Conflict("This account is deleted.")
    if user.status is not UserStatus.SUSPENDED:
        user.status = UserStatus.SUSPENDED
        revoked = await revoke_all_sessions(session, user_id=user.id, reason="account_disabled")
        record(
            session,
            AuditKind.ACCOUNT_DISABLED,
            client=client,
            user_id=user.id,
            actor_id=admin.id,
            details={"reason": (reason or "")[:200], "revokedSessions": revoked},
        )
        await session.flush()
    return user


async def enable_user(session: AsyncSession, *, admin: User, user_id: str, client: Client) -> User:
    user = await _target(session, user_id)
    if user.status is UserStatus.DELETED:
        raise Conflict("This account is deleted.")
    if user.status is not UserStatus.ACTIVE:
        user.status = UserStatus.ACTIVE
        record(
            session, AuditKind.ACCOUNT_ENABLED, client=client, user_id=user.id, actor_id=admin.id
        )
        await session.flush()
    return user
