"""Helpers for the evidence tests: publish a source, read its archive state back."""

from __future__ import annotations

from sqlmodel import select

from tracker.db import get_db
from tracker.models import Source, SourceArchive, SourceFetch, SourceKind
from tracker.services.revisions import SEED, save_revision
from tracker.services.urls import url_key


def publish_source(app, url: str, title: str = "Fictional lab report") -> int:
    """Publish a source through the revision service (its fetch runs when it commits)."""
    with app.app_context(), get_db().unit_of_work() as session:
        source = Source(url=url, url_key=url_key(url), title=title, kind=SourceKind.news)
        save_revision(session, source, author=SEED, reason="test source")
        session.flush()
        return source.id


def archive_of(app, url: str) -> SourceArchive | None:
    with app.app_context(), get_db().session() as session:
        row = session.exec(select(SourceArchive).where(SourceArchive.url_key == url_key(url)))
        found = row.first()
        if found is not None:
            session.expunge(found)
        return found


def fetches_of(app, url: str) -> list[SourceFetch]:
    with app.app_context(), get_db().session() as session:
        rows = list(
            session.exec(
                select(SourceFetch)
                .where(SourceFetch.url_key == url_key(url))
                .order_by(SourceFetch.id)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows
