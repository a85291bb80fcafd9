"""The right of reply on the public pages, and the invitation mailed to representatives."""

from __future__ import annotations

import datetime as dt

from flask import Flask, g, url_for

from tracker import notify
from tracker.db import get_session, utcnow
from tracker.models import Brand, Contradiction, PublicRecord
from tracker.moderate import decision_published
from tracker.services import right_of_reply
from tracker.services.right_of_reply import Invitation


def brand_invitations(brand_id: int) -> dict[int, Invitation]:
    """Return a brand's open invitations, looked up once per request."""
    cache = g.setdefault("reply_invitations", {})
    if brand_id not in cache:
        cache[brand_id] = right_of_reply.open_invitations(get_session(), brand_id)
    return cache[brand_id]


def invitation_for(contradiction: Contradiction) -> Invitation | None:
    """Return the open invitation of a published contradiction, or None if it was answered."""
    return brand_invitations(contradiction.brand_id).get(contradiction.id)


def oldest_invitation(brand: Brand) -> Invitation | None:
    return right_of_reply.oldest(brand_invitations(brand.id))


def brand_open_invitations(brand: Brand) -> int:
    return len(brand_invitations(brand.id))


def today() -> dt.date:
    return utcnow().date()


def invite_representatives(record: PublicRecord, decision=None, **_) -> None:
    """Mail the brand's verified representatives when a new contradiction is published."""
    if not isinstance(record, Contradiction) or record.version != 1:
        return
    session = get_session()
    brand = session.get(Brand, record.brand_id)
    for representative in right_of_reply.representatives(session, record.brand_id):
        notify.send(
            representative.email,
            "mail/invitation_subject.txt",
            "mail/invitation.txt",
            brand=brand,
            contradiction=record,
            link=url_for("public.contradiction", record_id=record.id, _external=True),
            respond=url_for("submit.response", contradiction_id=record.id, _external=True),
        )


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        reply_invitation=invitation_for,
        oldest_invitation=oldest_invitation,
        brand_open_invitations=brand_open_invitations,
        reply_today=today,
    )
    decision_published.connect(invite_representatives, weak=False)
