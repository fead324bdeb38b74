"""commerce's input checks shared by its services (ids, text)."""

from __future__ import annotations

import uuid

from subgraphs.commerce.errors import InvalidId, InvalidText


def parse_uuid(raw: str, *, field: str) -> str:
    """`raw` in canonical lower-case UUID form, or BAD_USER_INPUT naming `field`."""
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError as exc:
        raise InvalidId(field, raw) from exc


def required_text(raw: str, *, field: str, max_length: int) -> str:
    """Trimmed `raw`, non-empty and at most `max_length` characters."""
    text = raw.strip()
    if not text:
        raise InvalidText(field, "it must not be empty")
    return optional_text(text, field=field, max_length=max_length)


def optional_text(raw: str, *, field: str, max_length: int) -> str:
    text = raw.strip()
    if len(text) > max_length:
        raise InvalidText(field, f"it must be at most {max_length} characters")
    return text
