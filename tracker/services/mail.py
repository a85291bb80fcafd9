"""Outgoing mail: over SMTP when a server is configured, else into an outbox folder."""

from __future__ import annotations

import secrets
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from tracker.db import utcnow


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class MailSettings:
    sender: str
    outbox: Path
    server: str | None = None
    port: int = 587
    use_tls: bool = True
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10


class MailError(Exception):
    """The message could not be handed to the mail server."""


def settings_from(config: Mapping[str, Any], instance_path: str | Path) -> MailSettings:
    """Read the MAIL_* settings from an app's configuration."""
    outbox = config.get("MAIL_OUTBOX") or Path(instance_path) / "outbox"
    return MailSettings(
        sender=config.get("MAIL_DEFAULT_SENDER") or "tracker@localhost",
        outbox=Path(outbox),
        server=config.get("MAIL_SERVER") or None,
        port=int(config.get("MAIL_PORT") or 587),
        use_tls=bool(config.get("MAIL_USE_TLS", True)),
        use_ssl=bool(config.get("MAIL_USE_SSL", False)),
        username=config.get("MAIL_USERNAME") or None,
        password=config.get("MAIL_PASSWORD") or None,
        timeout=float(config.get("MAIL_TIMEOUT") or 10),
    )


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """Return the message as it goes out: plain text, UTF-8, dated, with a Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(mail.body)
    return message


def send(mail: Mail, settings: MailSettings) -> Path | None:
    """Send one message; in the outbox case return the file it was written to."""
    message = build_message(mail, settings.sender)
    if settings.server:
        _send_smtp(message, settings)
        return None
    settings.outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    path = settings.outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    return path


def _send_smtp(message: EmailMessage, settings: MailSettings) -> None:
    context = ssl.create_default_context()
    try:
        if settings.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.server, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        with client:
            if settings.use_tls and not settings.use_ssl:
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"could not send mail via {settings.server}: {error}") from error
