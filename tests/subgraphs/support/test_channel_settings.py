"""Channel adapters' configuration: VAPID keys (dev key made once, production needs one) and
SMS numbers and provider settings."""

from __future__ import annotations

import stat

import aiohttp
import pytest
from py_vapid import Vapid
from pydantic import SecretStr

from subgraphs.kernel.push import PushSettings, vapid_keys_from_settings
from subgraphs.kernel.sms import (
    HttpSmsSender,
    OutboxSmsSender,
    SmsSettings,
    normalise_phone_number,
    sms_sender_from_settings,
)


def test_a_development_vapid_key_is_made_once_and_kept_private(tmp_path):
    first = vapid_keys_from_settings(PushSettings(), data_dir=tmp_path, production=False)
    again = vapid_keys_from_settings(PushSettings(), data_dir=tmp_path, production=False)
    assert first is not None and again is not None
    assert first.application_server_key == again.application_server_key
    key_file = tmp_path / "vapid" / "private_key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_uses_the_configured_key_or_has_no_push(tmp_path):
    assert vapid_keys_from_settings(PushSettings(), data_dir=tmp_path, production=True) is None
    assert not (tmp_path / "vapid").exists()
    vapid = Vapid()
    vapid.generate_keys()
    settings = PushSettings(private_key=SecretStr(vapid.private_pem().decode()))
    keys = vapid_keys_from_settings(settings, data_dir=tmp_path, production=True)
    assert keys is not None and len(keys.application_server_key) == 87


def test_phone_numbers_are_normalised_to_e164():
    assert normalise_phone_number(" +1 (555) 010-4477 ") == "+15550104477"
    assert normalise_phone_number("+44.20.7946.0958") == "+442079460958"
    for bad in ("5550104477", "+0123456789", "+1", "+1555abc0000"):
        with pytest.raises(ValueError):
            normalise_phone_number(bad)


async def test_the_sms_provider_is_used_when_configured_else_the_outbox(tmp_path):
    async with aiohttp.ClientSession() as http:
        outbox = sms_sender_from_settings(
            SmsSettings(), http=http, data_dir=tmp_path, production=False
        )
        assert isinstance(outbox, OutboxSmsSender)
        await outbox.send("+15550104477", "hello")
        [written] = outbox.messages()
        assert written.read_text() == "To: +15550104477\n\nhello\n"

        configured = SmsSettings(
            base_url="https://sms.example", account_sid="AC1", from_number="+15005550006"
        )
        sender = sms_sender_from_settings(configured, http=http, data_dir=tmp_path, production=True)
        assert isinstance(sender, HttpSmsSender)
        assert sender.messages_url == "https://sms.example/2010-04-01/Accounts/AC1/Messages.json"
        assert "auth_token" not in repr(sender)
        with pytest.raises(ValueError):
            sms_sender_from_settings(
                SmsSettings(base_url="https://sms.example"),
                http=http,
                data_dir=tmp_path,
                production=True,
            )
