"""Contributing: the forms under /submit/ and the contributor's private status page."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.db import get_session
from tracker.labels import label
from tracker.models import ReasonCode
from tracker.services import submissions
from tracker.submit.display import payload_rows, payload_sources
from tracker.submit.views import bp
from tracker.web import register_nav


def reason_label(code: str | None) -> str:
    """Return the reader-facing name of a stored reason code."""
    if not code:
        return ""
    try:
        return label(ReasonCode(code))
    except ValueError:
        return code


def my_submissions():
    if not current_user.is_authenticated:
        return []
    return submissions.for_user(get_session(), current_user)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(app, "submit.index", _l("Contribute"), 30)
    app.jinja_env.globals.update(
        payload_rows=payload_rows,
        payload_sources=payload_sources,
        reason_label=reason_label,
        my_submissions=my_submissions,
    )
