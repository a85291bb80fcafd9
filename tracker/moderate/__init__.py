"""Moderation in the open: the queue and decisions for moderators, the log for everyone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, url_for
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l

from tracker.auth import register_user_nav
from tracker.db import get_session, utcnow
from tracker.models import Brand, EntityType, Submission
from tracker.moderate.views import bp, decision_published
from tracker.services.revisions import FieldChange, diff
from tracker.web import PLURALS, register_nav

__all__ = ["bp", "decision_published", "init_app"]


def age_of(moment: dt.datetime) -> str:
    """Say how long ago something happened, in the reader's language: "3 days ago"."""
    return format_timedelta(moment - utcnow(), add_direction=True, threshold=1)


def payload_headline(submission: Submission) -> str:
    """Return the line that best says what a submission is about."""
    payload = submission.payload if isinstance(submission.payload, dict) else {}
    for key in ("quote", "title", "name", "summary", "fix", "explanation"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def record_url(entity_type: str, record_id: Any) -> str:
    """Return the address of a record named by its type and id."""
    kind = EntityType(entity_type)
    if kind is EntityType.brand:
        brand = get_session().get(Brand, record_id)
        return url_for("public.brand", slug=brand.slug) if brand else "#"
    return url_for(f"public.{kind.value}", record_id=record_id) if kind in PLURALS else "#"


def payload_changes(before: dict, after: dict) -> list[FieldChange]:
    return diff(before or {}, after or {})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(app, "moderate.log", _l("Moderation log"), 40)
    register_user_nav(app, "moderate.queue", _l("Moderation queue"), 50, lambda u: u.is_moderator)
    app.jinja_env.globals.update(
        age_of=age_of,
        payload_headline=payload_headline,
        record_url=record_url,
        payload_changes=payload_changes,
    )
