"""Captures the Wayback Machine was asked to make of a source address (optional, off by
default): one row per request, append-only, beside the tracker's own copy it followed."""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.db import UTCDateTime, utcnow


class WaybackCapture(SQLModel, table=True):
    """One request to the Wayback Machine to capture an address, and what came of it."""

    __tablename__ = "wayback_capture"
    __table_args__ = (
        sa.Index("ix_wayback_capture_url_key_requested_at", "url_key", "requested_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    url_key: str = Field(max_length=2000)
    # The tracker's own copy this capture followed.
    fetch_id: int | None = Field(default=None, foreign_key="source_fetch.id")
    requested_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    ok: bool = Field(default=False, nullable=False)
    capture_url: str | None = Field(default=None, max_length=2000)
    reason: str | None = Field(default=None, max_length=2000)  # why there is no capture
