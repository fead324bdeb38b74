"""Deterministic demo identities shared by every subgraph's `seed.py`.

identity seeds these users; other subgraphs reference them by `demo_user_id(handle)`, so
cross-domain references line up without any subgraph importing another.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

DEMO_NAMESPACE = uuid.UUID("6c1f4d52-7a0e-5b7c-9a53-2f4e0d1b8e11")


def demo_id(kind: str, handle: str) -> str:
    """A stable UUID string for demo object `handle` of `kind`.

    e.g. `demo_id("wallet", "alice-eur")`.
    """
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{handle}"))


def demo_user_id(handle: str) -> str:
    return demo_id("user", handle)


@dataclass(frozen=True, slots=True)
class DemoUser:
    handle: str
    email: str
    display_name: str
    roles: tuple[str, ...]

    @property
    def id(self) -> str:
        return demo_user_id(self.handle)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("alice", "alice@example.com", "Alice Martin", ("USER",)),
    DemoUser("bob", "bob@example.com", "Bob Keller", ("USER",)),
    DemoUser("carol", "carol@example.com", "Carol's Crafts", ("USER", "SELLER")),
    DemoUser("dave", "dave@example.com", "Dave (Support)", ("USER", "SUPPORT_AGENT")),
    DemoUser("erin", "erin@example.com", "Erin Admin", ("USER", "ADMIN")),
)
