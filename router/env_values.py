"""Reading ``EHB_ROUTER_*`` settings: one parser per kind of value, so every setting module
(``router.config`` and the feature settings it gathers) accepts the same spellings and every
malformed value raises ``ValueError`` naming its variable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

ENV_PREFIX = "EHB_ROUTER_"
TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FALSE_WORDS = frozenset({"0", "false", "off", "no"})

_Number = TypeVar("_Number", int, float)


class RouterEnv:
    """``env`` (``os.environ`` or a test's dict) read through ``prefix`` + a setting's name."""

    def __init__(self, env: Mapping[str, str], prefix: str = ENV_PREFIX) -> None:
        self.env = env
        self.prefix = prefix

    def variable(self, name: str) -> str:
        return self.prefix + name

    def raw(self, name: str) -> str:
        """The stripped value, ``""`` when unset or blank."""
        return (self.env.get(self.prefix + name) or "").strip()

    def text(self, name: str, default: str) -> str:
        return self.raw(name) or default

    def optional(self, name: str) -> str | None:
        return self.raw(name) or None

    def switch(self, name: str, *, default: bool) -> bool:
        raw = self.raw(name).lower()
        if raw == "":
            return default
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        raise ValueError(f"{self.variable(name)} must be 1 or 0, got {raw!r}")

    def positive(self, name: str, parse: Callable[[str], _Number], default: _Number) -> _Number:
        raw = self.raw(name)
        if raw == "":
            return default
        try:
            value = parse(raw)
        except ValueError:
            kind = "a whole number" if parse is int else "a number"
            raise ValueError(f"{self.variable(name)} must be {kind}, got {raw!r}") from None
        if value <= 0:
            raise ValueError(f"{self.variable(name)} must be positive, got {raw!r}")
        return value

    def whole_number(self, name: str) -> int | None:
        """A whole number ≥ 0, or None when unset."""
        raw = self.raw(name)
        if raw == "":
            return None
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{self.variable(name)} must be a whole number, got {raw!r}") from None
        if value < 0:
            raise ValueError(f"{self.variable(name)} must not be negative, got {raw!r}")
        return value

    def url(self, name: str) -> str | None:
        raw = self.raw(name)
        if not raw:
            return None
        if not raw.startswith(("http://", "https://")):
            raise ValueError(f"{self.variable(name)} must be an http(s) URL, got {raw!r}")
        return raw

    def names(self, name: str) -> tuple[str, ...] | None:
        """Comma-separated names (blanks dropped), or None when the variable is unset; set to
        an empty value it is the empty tuple."""
        raw = self.env.get(self.prefix + name)
        if raw is None:
            return None
        return tuple(part.strip() for part in raw.split(",") if part.strip())
