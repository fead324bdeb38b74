"""Shared input checks: ids are canonical UUIDs, text is trimmed and bounded; every failure is
BAD_USER_INPUT naming the field."""

from __future__ import annotations

import pytest

from subgraphs.kernel.errors import BadUserInput
from subgraphs.kernel.validation import optional_text, parse_id, required_text

ID = "6a0f4c1e-1b7d-4c59-9a51-0f7e3f4a0a01"


def test_parse_id_gives_the_canonical_lower_case_uuid():
    assert parse_id(f"  {ID.upper()} ", field="ownerId") == ID


@pytest.mark.parametrize("raw", ["", "not-a-uuid", "123", ID + "0"])
def test_parse_id_rejects_anything_else_naming_the_field(raw):
    with pytest.raises(BadUserInput) as raised:
        parse_id(raw, field="ownerId")

    assert raised.value.extensions == {"code": "BAD_USER_INPUT", "field": "ownerId"}
    assert raised.value.message.startswith("ownerId must be an id (a UUID)")


def test_required_text_is_trimmed_non_empty_and_bounded():
    assert required_text("  Lisbon ", field="title", max_length=6) == "Lisbon"
    for raw in ["   ", None, "x" * 7]:
        with pytest.raises(BadUserInput) as raised:
            required_text(raw, field="displayName", max_length=6)
        assert raised.value.extensions["field"] == "displayName"
        assert raised.value.message.startswith("Invalid display name: ")


def test_optional_text_may_be_blank_and_falls_back_to_its_default():
    assert optional_text(None, field="description", max_length=5) == ""
    assert optional_text("  ", field="description", max_length=9, default="Deposit") == "Deposit"
    with pytest.raises(BadUserInput, match="at most 5 characters"):
        optional_text("x" * 6, field="description", max_length=5)
