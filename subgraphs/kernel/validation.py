"""Input checks every subgraph's services share: ids and bounded text.

    owner_id = parse_id(owner_id, field="ownerId")
    title = required_text(title, field="title", max_length=200)
    description = optional_text(description, field="description", max_length=5000)

Each failure is BAD_USER_INPUT whose `extensions.field` names the input field.
"""

from __future__ import annotations

import re
import uuid

from subgraphs.kernel.errors import BadUserInput


class InvalidId(BadUserInput):
    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field} must be an id (a UUID), got {value!r}.", field=field)


class InvalidText(BadUserInput):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"Invalid {_words(field)}: {reason}.", field=field)


def _words(field: str) -> str:
    """`displayName` -> `display name` (how a field is named in a message)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", field).lower()


def parse_id(raw: str, *, field: str) -> str:
    """`raw` (an entity id: a UUID, possibly another subgraph's) in canonical lower-case form,
    or BAD_USER_INPUT naming `field`."""
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError as exc:
        raise InvalidId(field, raw) from exc


def optional_text(raw: str | None, *, field: str, max_length: int, default: str = "") -> str:
    """Trimmed `raw` (None or blank: `default`), at most `max_length` characters."""
    text = (raw or "").strip() or default
    if len(text) > max_length:
        raise InvalidText(field, f"it must be at most {max_length} characters")
    return text


def required_text(raw: str | None, *, field: str, max_length: int) -> str:
    """Trimmed `raw`, non-empty and at most `max_length` characters."""
    text = (raw or "").strip()
    if not text:
        raise InvalidText(field, "it must not be empty")
    return optional_text(text, field=field, max_length=max_length)
