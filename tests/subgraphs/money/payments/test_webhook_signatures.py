"""HMAC-SHA256 webhook signatures over `<timestamp>.` + the raw body."""

from __future__ import annotations

import pytest

from subgraphs.money.payments.signatures import SignatureRejected, sign, verify

SECRET = b"whsec_test_secret_of_enough_length"
BODY = b'{"id":"evt_1","type":"charge.succeeded","data":{"reference":"r"}}'
NOW = 1_800_000_000


def test_a_fresh_signature_over_the_body_verifies() -> None:
    header = sign(SECRET, BODY, NOW)
    assert verify(SECRET, BODY, header, tolerance_seconds=300, now=NOW + 10) == NOW


def test_one_changed_byte_of_the_body_is_refused() -> None:
    header = sign(SECRET, BODY, NOW)
    with pytest.raises(SignatureRejected, match="does not match"):
        verify(
            SECRET, BODY.replace(b"succeeded", b"succeedee"), header, tolerance_seconds=300, now=NOW
        )


def test_another_secret_is_refused() -> None:
    header = sign(b"another secret entirely", BODY, NOW)
    with pytest.raises(SignatureRejected, match="does not match"):
        verify(SECRET, BODY, header, tolerance_seconds=300, now=NOW)


@pytest.mark.parametrize("skew", [-301, 301, 10_000])
def test_a_timestamp_outside_the_tolerance_is_refused_both_ways(skew: int) -> None:
    header = sign(SECRET, BODY, NOW)
    with pytest.raises(SignatureRejected, match="tolerance"):
        verify(SECRET, BODY, header, tolerance_seconds=300, now=NOW + skew)


def test_a_moved_timestamp_breaks_the_signature() -> None:
    digest = sign(SECRET, BODY, NOW).split("v1=")[1]
    with pytest.raises(SignatureRejected, match="does not match"):
        verify(SECRET, BODY, f"t={NOW + 5},v1={digest}", tolerance_seconds=300, now=NOW)


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=123", "t=abc,v1=00", "garbage"])
def test_missing_or_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(SignatureRejected):
        verify(SECRET, BODY, header, tolerance_seconds=300, now=NOW)


def test_any_of_several_signatures_may_match_during_a_secret_rotation() -> None:
    good = sign(SECRET, BODY, NOW).split("v1=")[1]
    header = f"t={NOW},v1={'0' * 64},v1={good}"
    assert verify(SECRET, BODY, header, tolerance_seconds=300, now=NOW) == NOW
