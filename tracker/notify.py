"""Mail the site sends to people: rendered from templates/mail/, in the reader's language."""

from __future__ import annotations

from contextlib import nullcontext

from flask import current_app, render_template
from flask_babel import force_locale

from tracker.services import mail


def send(
    to: str, subject_template: str, body_template: str, *, locale: str | None = None, **context
) -> bool:
    """Render and send one message, after the work it reports was committed.

    Failing to send never fails the request: the error is logged and False returned.
    """
    known = locale in current_app.config["LANGUAGES"]
    with force_locale(locale) if known else nullcontext():
        subject = " ".join(render_template(subject_template, **context).split())
        body = render_template(body_template, **context)
    settings = mail.settings_from(current_app.config, current_app.instance_path)
    try:
        mail.send(mail.Mail(to=to, subject=subject, body=body), settings)
    except (mail.MailError, OSError):
        current_app.logger.exception("mail could not be sent")
        return False
    return True
