"""identity's business logic. Functions take the session, never commit, never import Strawberry."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.errors import EmailAlreadyRegistered, InvalidEmail
from subgraphs.identity.models import Role, User, UserStatus
from subgraphs.kernel.pagination import Page, paginate
from subgraphs.kernel.validation import required_text

MAX_DISPLAY_NAME = 80
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")


def normalise_email(raw: str) -> str:
    """Trimmed, domain lower-cased (the local part is case-sensitive by RFC 5321); validated."""
    email = raw.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail("it needs a local part, an @ and a domain")
    domain = domain.lower()
    if not _LOCAL_PART.match(local) or local.startswith(".") or ".." in local:
        raise InvalidEmail("the part before @ has characters or dots that are not allowed")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise InvalidEmail("the domain must look like example.com")
    normalised = f"{local}@{domain}"
    if len(normalised) > 254:
        raise InvalidEmail("it is longer than 254 characters")
    return normalised


async def get_user(session: AsyncSession, *, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def list_users(session: AsyncSession, *, first: int | None, after: str | None) -> Page[User]:
    return await paginate(session, select(User), first=first, after=after)


async def register_user(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    roles: Iterable[Role] = (Role.USER,),
    user_id: str | None = None,
) -> User:
    """Create an ACTIVE user; CONFLICT when the (normalised) email is taken."""
    email = normalise_email(email)
    display_name = required_text(display_name, field="displayName", max_length=MAX_DISPLAY_NAME)
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailAlreadyRegistered(email)
    user = User(
        email=email,
        display_name=display_name,
        roles=sorted({role.value for role in roles}),
        status=UserStatus.ACTIVE,
    )
    if user_id is not None:
        user.id = user_id
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailAlreadyRegistered(email) from exc
    return user
