"""Atom 1.0 documents (RFC 4287) of public events, written with ElementTree (escaped)."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from tracker.labels import label
from tracker.models import Claim, Contradiction, Outcome, Response
from tracker.services.feeds import FeedEntry
from tracker.web import url_for_record

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)


def site_title(kind: str, subject: object = None) -> str:
    """Return a feed's title in the reader's language."""
    site = current_app.config["SITE_NAME"]
    if kind == "brand":
        return _("%(site)s: %(brand)s", site=site, brand=subject)
    if kind == "topic":
        return _("%(site)s: topic %(topic)s", site=site, topic=label(subject))
    return _("%(site)s: everything new", site=site)


def _title(entry: FeedEntry) -> str:
    record = entry.record
    kind = label(record.entity_type)
    brand = record.brand.name
    if isinstance(record, Contradiction):
        return f"{kind} · {brand}: {record.title}"
    if isinstance(record, Claim):
        return f"{kind} · {brand}: {record.headline[:200]}"
    if isinstance(record, Outcome):
        return f"{label(record.kind)} · {brand}: {record.summary[:200]}"
    return f"{kind} · {brand}: {record.summary[:200]}"


def _summary(entry: FeedEntry) -> str:
    record = entry.record
    if isinstance(record, Contradiction):
        return f"{label(record.state)}. {record.summary}"
    if isinstance(record, Claim):
        return record.summary or record.quote or ""
    if isinstance(record, Response | Outcome):
        return record.summary
    return ""


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def render(*, title: str, entries: list[FeedEntry], self_url: str, html_url: str) -> bytes:
    """Return an Atom feed of the given entries."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", str(get_locale()))
    _sub(feed, "id", self_url.split("?", 1)[0])  # the same feed in another language
    _sub(feed, "title", title)
    newest = max(
        (e.record.updated_at for e in entries), default=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    _sub(feed, "updated", _stamp(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    author = _sub(feed, "author")
    _sub(author, "name", current_app.config["SITE_NAME"])
    _sub(
        feed,
        "rights",
        _(
            "Data under CC BY 4.0: name %(site)s and link to the record.",
            site=current_app.config["SITE_NAME"],
        ),
    )
    _sub(feed, "generator", "CSR claims tracker")
    for entry in entries:
        record = entry.record
        url = url_for_record(record, _external=True)
        item = _sub(feed, "entry")
        _sub(item, "id", url)
        _sub(item, "title", _title(entry))
        _sub(item, "link", rel="alternate", type="text/html", href=url)
        _sub(item, "published", _stamp(record.created_at))
        _sub(item, "updated", _stamp(record.updated_at))
        _sub(item, "summary", _summary(entry), type="text")
        _sub(item, "category", term=record.entity_type.value, label=str(label(record.entity_type)))
        if isinstance(record, Claim):
            for topic in record.topics:
                _sub(item, "category", term=f"topic:{topic.value}", label=str(label(topic)))
        brand_author = _sub(item, "author")
        _sub(brand_author, "name", current_app.config["SITE_NAME"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
