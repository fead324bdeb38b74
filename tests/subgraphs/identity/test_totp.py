"""TOTP (RFC 6238) with replay protection, enrolment URIs and QR codes, and recovery codes."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from datetime import UTC, datetime
from urllib.parse import unquote
from xml.etree import ElementTree

import pyotp
import pytest

from subgraphs.identity.totp import (
    RECOVERY_CODE_ALPHABET,
    current_step,
    hash_recovery_code,
    match_recovery_code,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    qr_code_data_url,
    verify,
)

# RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", shown here in base32; the
# published 8-digit values end in these 6 digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [(59, "287082"), (1111111109, "081804"), (1234567890, "005924")]

NOW = 1_700_000_000.0  # a fixed clock: step 56_666_666, 20 s into it
NOW_STEP = 56_666_666


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


@pytest.mark.parametrize(("timestamp", "code"), RFC_VECTORS)
def test_the_rfc_6238_test_vectors_verify(timestamp, code):
    assert verify(RFC_SECRET, code, last_used_step=None, now=timestamp) == timestamp // 30


def test_the_step_follows_the_clock():
    assert current_step(NOW) == NOW_STEP
    assert current_step(datetime.fromtimestamp(NOW, UTC)) == NOW_STEP


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    secret = new_secret()
    for offset in (-1, 0, 1):
        code = code_at_step(secret, NOW_STEP + offset)
        assert verify(secret, code, last_used_step=None, now=NOW) == NOW_STEP + offset
    for offset in (-3, -2, 2, 3):
        code = code_at_step(secret, NOW_STEP + offset)
        assert verify(secret, code, last_used_step=None, now=NOW) is None


def test_a_used_code_cannot_be_replayed_within_its_window():
    secret = new_secret()
    code = code_at_step(secret, NOW_STEP)

    step = verify(secret, code, last_used_step=None, now=NOW)

    assert step == NOW_STEP
    assert verify(secret, code, last_used_step=step, now=NOW) is None
    assert verify(secret, code, last_used_step=step, now=NOW + 30) is None  # still in window


def test_after_a_use_older_codes_are_refused_and_the_next_one_is_accepted():
    secret = new_secret()
    previous = code_at_step(secret, NOW_STEP - 1)
    following = code_at_step(secret, NOW_STEP + 1)

    assert verify(secret, previous, last_used_step=NOW_STEP, now=NOW) is None
    assert verify(secret, following, last_used_step=NOW_STEP, now=NOW) == NOW_STEP + 1


def test_a_code_from_another_secret_is_refused():
    code = code_at_step(new_secret(), NOW_STEP)

    assert verify(new_secret(), code, last_used_step=None, now=NOW) is None


def test_spaces_are_ignored_and_malformed_codes_refused():
    timestamp, code = RFC_VECTORS[1]
    assert verify(RFC_SECRET, f" {code[:3]} {code[3:]} ", last_used_step=None, now=timestamp)
    for malformed in (
        "",
        "08180",
        "0818045",
        "o81804",
        "08-1804",
        "\uff10\uff18\uff11\uff18\uff10\uff14",
    ):
        assert verify(RFC_SECRET, malformed, last_used_step=None, now=timestamp) is None


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        verify(RFC_SECRET, "287082", last_used_step=None, now=datetime(2026, 1, 1))


def test_secrets_are_160_random_bits_in_base32():
    first, second = new_secret(), new_secret()

    assert len(first) == 32
    assert len(base64.b32decode(first)) == 20
    assert first != second


def test_the_provisioning_uri_round_trips_through_an_authenticator_parser():
    secret = new_secret()

    uri = provisioning_uri(secret, "ada@example.com")

    assert uri.startswith("otpauth://totp/EHB-5:ada%40example.com?")
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP)
    assert (parsed.secret, parsed.name, parsed.issuer) == (secret, "ada@example.com", "EHB-5")
    assert (parsed.digits, parsed.interval) == (6, 30)


def test_the_qr_code_svg_data_url_is_an_svg_image():
    url = qr_code_data_url(provisioning_uri(new_secret(), "ada@example.com"))

    header, _, payload = url.partition(",")
    assert header.startswith("data:image/svg+xml")
    root = ElementTree.fromstring(unquote(payload))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.attrib["width"]) == int(root.attrib["height"]) > 100


def test_the_qr_code_png_data_url_decodes_to_a_square_png():
    url = qr_code_data_url(provisioning_uri(new_secret(), "ada@example.com"), image_format="png")

    header, _, payload = url.partition(",")
    assert header == "data:image/png;base64"
    png = base64.b64decode(payload, validate=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = dict(_png_chunks(png))
    width, height, bit_depth = struct.unpack(">IIB", chunks[b"IHDR"][:9])
    assert width == height > 100
    pixels = zlib.decompress(chunks[b"IDAT"])
    assert len(pixels) == height * (1 + (width * bit_depth + 7) // 8)  # filter byte + row
    assert b"IEND" in chunks


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks: list[tuple[bytes, bytes]] = []
    position = 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + data) == crc
        chunks.append((kind, data))
        position += 12 + length
    return chunks


def test_recovery_codes_are_ten_distinct_friendly_codes():
    codes = new_recovery_codes()

    assert len(codes) == len(set(codes)) == 10
    alphabet = re.escape(RECOVERY_CODE_ALPHABET)
    for code in codes:
        assert re.fullmatch(rf"[{alphabet}]{{4}}-[{alphabet}]{{4}}-[{alphabet}]{{4}}", code)
    assert len(new_recovery_codes(3)) == 3


def test_a_recovery_code_matches_its_hash_forgiving_case_dashes_and_lookalikes():
    codes = ["0011-abcd-efgh", "7kq2-mx9d-h4tz", "zzzz-zzzz-zzzz"]
    hashes = [hash_recovery_code(code) for code in codes]

    assert match_recovery_code("7kq2-mx9d-h4tz", hashes) == 1
    assert match_recovery_code("7KQ2MX9DH4TZ", hashes) == 1
    assert match_recovery_code(" 7kq2 mx9d h4tz ", hashes) == 1
    assert match_recovery_code("OOIL-ABCD-EFGH", hashes) == 0  # O -> 0, I/L -> 1


def test_used_wrong_and_malformed_recovery_codes_do_not_match():
    codes = new_recovery_codes(3)
    hashes: list[str | None] = [hash_recovery_code(code) for code in codes]
    hashes[0] = None  # used

    assert match_recovery_code(codes[0], hashes) is None
    assert match_recovery_code(codes[2], hashes) == 2
    assert match_recovery_code("0000-0000-0000", hashes) is None
    assert match_recovery_code("too-short", hashes) is None
    assert match_recovery_code("uuuu-uuuu-uuuu", hashes) is None  # u is not in the alphabet
    assert match_recovery_code("", []) is None


def test_recovery_code_hashes_are_sha256_hex_and_refuse_non_codes():
    digest = hash_recovery_code("7kq2-mx9d-h4tz")

    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == hash_recovery_code("7KQ2 MX9D H4TZ")
    with pytest.raises(ValueError):
        hash_recovery_code("not a code")
