"""Outgoing email: SMTP delivery to a real local server, the development mailbox, EHB_SMTP_URL."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

from subgraphs.kernel.email import (
    EmailDeliveryFailed,
    MailboxEmailSender,
    SmtpEmailSender,
    email_sender_from_settings,
    parse_smtp_url,
    render_email,
)
from subgraphs.kernel.settings import Settings
from tests.fixtures import smtp
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USER, SmtpServer

smtp_server = smtp.smtp_server
smtp_server_with_auth = smtp.smtp_server_with_auth


def reset_email() -> EmailMessage:
    return render_email(
        ["ada@example.com", "grace@example.com"],
        "Reset your password, $name",
        "Hello $name,\nopen $link within 30 minutes.\n",
        html='<p>Hello $name, <a href="$link">reset your password</a>.</p>',
        values={"name": "Ada <admin>", "link": "https://ehb.localhost/reset?t=a&b"},
    )


async def test_smtp_delivers_headers_bodies_and_every_recipient(smtp_server: SmtpServer):
    sender = SmtpEmailSender(
        host=smtp_server.host, port=smtp_server.port, from_address="EHB-5 <no-reply@ehb.test>"
    )

    await sender.send(reset_email())

    received = await smtp_server.wait_for_message()
    assert received.mail_from == "no-reply@ehb.test"
    assert received.rcpt_tos == ["ada@example.com", "grace@example.com"]
    assert received.authenticated_as is None
    headers = received.message
    assert headers["From"] == "EHB-5 <no-reply@ehb.test>"
    assert headers["To"] == "ada@example.com, grace@example.com"
    assert headers["Subject"] == "Reset your password, Ada <admin>"
    assert headers["Date"] is not None
    assert headers["Message-ID"].endswith("@ehb.test>")
    assert received.body("plain") == (
        "Hello Ada <admin>,\nopen https://ehb.localhost/reset?t=a&b within 30 minutes.\n"
    )
    assert received.body("html") == (
        '<p>Hello Ada &lt;admin&gt;, <a href="https://ehb.localhost/reset?t=a&amp;b">'
        "reset your password</a>.</p>\n"
    )


async def test_smtp_authenticates_after_starttls(smtp_server_with_auth: SmtpServer):
    server = smtp_server_with_auth
    url = f"smtp://{SMTP_USER}:{SMTP_PASSWORD.replace(' ', '%20')}@{server.host}:{server.port}"
    parsed = parse_smtp_url(url + "?starttls=1", from_address="no-reply@ehb.test")
    # The test server's certificate is self-signed: trust it explicitly, still verified.
    sender = dataclasses.replace(parsed, tls_context=server.client_tls_context)

    await sender.send(render_email("ada@example.com", "Hi", "Hello"))

    received = await server.wait_for_message()
    assert received.authenticated_as == SMTP_USER
    assert received.rcpt_tos == ["ada@example.com"]


async def test_wrong_credentials_fail_without_showing_the_password(
    smtp_server_with_auth: SmtpServer,
):
    server = smtp_server_with_auth
    sender = SmtpEmailSender(
        host=server.host,
        port=server.port,
        username=SMTP_USER,
        password="not-the-password-123",
        starttls=True,
        tls_context=server.client_tls_context,
    )

    with pytest.raises(EmailDeliveryFailed) as failure:
        await sender.send(render_email("ada@example.com", "Hi", "Hello"))

    assert "SMTPAuthenticationError" in str(failure.value)
    assert "not-the-password-123" not in str(failure.value)
    assert "not-the-password-123" not in repr(sender)
    assert server.messages == []


async def test_an_unreachable_server_gives_a_clear_error():
    with socket.socket() as probe:  # a port nothing listens on: bound, then closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = parse_smtp_url(f"smtp://mailer:s3cret-pass@127.0.0.1:{port}", timeout_seconds=2)

    with pytest.raises(EmailDeliveryFailed, match=rf"SMTP server 127\.0\.0\.1:{port}") as failure:
        await sender.send(render_email("ada@example.com", "Hi", "Hello"))

    assert "s3cret-pass" not in str(failure.value)


async def test_the_mailbox_writes_one_readable_eml_file_per_message(tmp_path: Path):
    mailbox = MailboxEmailSender(directory=tmp_path / "mail", from_address="no-reply@ehb.test")

    await mailbox.send(reset_email())
    await mailbox.send(render_email("grace@example.com", "Second", "Two"))

    files = mailbox.messages()
    assert [path.suffix for path in files] == [".eml", ".eml"]
    first = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert isinstance(first, EmailMessage)
    assert first["From"] == "no-reply@ehb.test"
    assert first["Subject"] == "Reset your password, Ada <admin>"
    body = first.get_body(preferencelist=("plain",))
    assert body is not None
    assert "https://ehb.localhost/reset?t=a&b" in body.get_content()
    assert list((tmp_path / "mail").glob("*.partial")) == []


async def test_an_unwritable_mailbox_gives_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "mail"
    blocker.write_text("a file where the directory should be")
    mailbox = MailboxEmailSender(directory=blocker)

    with pytest.raises(EmailDeliveryFailed, match="could not write email"):
        await mailbox.send(render_email("ada@example.com", "Hi", "Hello"))


async def test_sending_does_not_change_the_callers_message(tmp_path: Path):
    message = render_email("ada@example.com", "Hi", "Hello")

    await MailboxEmailSender(directory=tmp_path).send(message)

    assert message["From"] is None
    assert message["Message-ID"] is None


def test_settings_select_the_mailbox_in_the_data_dir_by_default(tmp_path: Path):
    sender = email_sender_from_settings(Settings(data_dir=tmp_path, mail_from="x@ehb.test"))

    assert sender == MailboxEmailSender(directory=tmp_path / "mail", from_address="x@ehb.test")


def test_settings_select_smtp_from_ehb_smtp_url(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EHB_SMTP_URL", "smtps://mailer:p%40ss@mail.example.com")
    monkeypatch.setenv("EHB_MAIL_FROM", "EHB <no-reply@example.com>")
    settings = Settings()

    sender = email_sender_from_settings(settings)

    assert sender == SmtpEmailSender(
        host="mail.example.com",
        port=465,
        from_address="EHB <no-reply@example.com>",
        username="mailer",
        password="p@ss",
        implicit_tls=True,
        timeout_seconds=10.0,
    )
    assert "p%40ss" not in repr(settings)
    assert settings.smtp_url == SecretStr("smtps://mailer:p%40ss@mail.example.com")


@pytest.mark.parametrize(
    ("url", "host", "port", "starttls", "implicit_tls", "username", "password"),
    [
        ("smtp://localhost", "localhost", 25, None, False, None, None),
        (
            "smtp://u:p@mail.example.com:587?starttls=1",
            "mail.example.com",
            587,
            True,
            False,
            "u",
            "p",
        ),
        ("smtp://mail.example.com?starttls=true", "mail.example.com", 587, True, False, None, None),
        (
            "smtp://mail.example.com:2525?starttls=0",
            "mail.example.com",
            2525,
            False,
            False,
            None,
            None,
        ),
        (
            "smtps://u%40x.com:a%3Ab@mail.example.com",
            "mail.example.com",
            465,
            None,
            True,
            "u@x.com",
            "a:b",
        ),
        ("SMTPS://mail.example.com:2465", "mail.example.com", 2465, None, True, None, None),
    ],
)
def test_smtp_urls_parse(url, host, port, starttls, implicit_tls, username, password):
    sender = parse_smtp_url(url)

    assert (sender.host, sender.port, sender.starttls, sender.implicit_tls) == (
        host,
        port,
        starttls,
        implicit_tls,
    )
    assert (sender.username, sender.password) == (username, password)


def test_smtp_url_timeout_parameter():
    assert parse_smtp_url("smtp://h?timeout=2.5").timeout_seconds == 2.5


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://u:hunter2@mail.example.com", "must start with smtp"),
        ("smtp://u:hunter2@:25", "no host"),
        ("smtp://u:hunter2@h?starttls=maybe", "must be 1 or 0"),
        ("smtp://u:hunter2@h?startls=1", "unknown parameter 'startls'"),
        ("smtps://u:hunter2@h?starttls=1", "already TLS"),
        ("smtp://u:hunter2@h:port", "invalid port"),
        ("smtp://u:hunter2@h?timeout=-1", "must be positive"),
    ],
)
def test_bad_smtp_urls_are_refused_without_showing_the_password(url, complaint):
    with pytest.raises(ValueError, match=complaint) as refusal:
        parse_smtp_url(url)

    assert "hunter2" not in str(refusal.value)


def test_render_email_builds_plain_text_only_without_html():
    message = render_email("ada@example.com", "Welcome", "Costs $$5, $name", values={"name": "A"})

    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Costs $5, A\n"


def test_render_email_refuses_a_missing_value_and_header_injection():
    with pytest.raises(KeyError):
        render_email("ada@example.com", "Hi", "Hello $name")
    with pytest.raises(ValueError):
        render_email("ada@example.com", "Hi $x", "Hello", values={"x": "\r\nBcc: eve@example.com"})
    with pytest.raises(ValueError, match="at least one recipient"):
        render_email([], "Hi", "Hello")
