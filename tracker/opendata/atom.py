"""Atom 1.0 documents (RFC 4287) of public events and of the moderation log, written with
ElementTree (escaped)."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from tracker.labels import label
from tracker.models import Claim, Contradiction, ModerationDecision, Outcome, Response
from tracker.services.feeds import FeedEntry
from tracker.web import url_for_record

ATOM = "http://www.w3.org/2005/Atom"
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)  # "updated" of a feed with no entry yet
ET.register_namespace("", ATOM)


def site_title(kind: str, subject: object = None) -> str:
    """Return a feed's title in the reader's language."""
    site = current_app.config["SITE_NAME"]
    if kind == "brand":
        return _("%(site)s: %(brand)s", site=site, brand=subject)
    if kind == "topic":
        return _("%(site)s: topic %(topic)s", site=site, topic=label(subject))
    if kind == "moderation":
        return _("%(site)s: moderation log", site=site)
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


def _feed(*, title: str, self_url: str, html_url: str, updated: dt.datetime) -> ET.Element:
    """Return a feed element with the parts every feed of the site has."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", str(get_locale()))
    _sub(feed, "id", self_url.split("?", 1)[0])  # the same feed in another language
    _sub(feed, "title", title)
    _sub(feed, "updated", _stamp(updated))
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
    return feed


def render(*, title: str, entries: list[FeedEntry], self_url: str, html_url: str) -> bytes:
    """Return an Atom feed of the given entries."""
    newest = max((e.record.updated_at for e in entries), default=EPOCH)
    feed = _feed(title=title, self_url=self_url, html_url=html_url, updated=newest)
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


def render_log(
    *,
    title: str,
    decisions: list[ModerationDecision],
    records: dict,
    self_url: str,
    log_url: str,
) -> bytes:
    """Return an Atom feed of moderation decisions, with what the public log shows and no more:
    when, the kind of contribution and its number, the record, the decision, the reason code
    and the moderator's public handle. Never the contributor, never the message to them."""
    newest = max((d.created_at for d in decisions), default=EPOCH)
    feed = _feed(title=title, self_url=self_url, html_url=log_url, updated=newest)
    for decision in decisions:
        record = records.get((decision.record_type, decision.record_id))
        anchor = f"{log_url}#decision-{decision.id}"
        item = _sub(feed, "entry")
        _sub(item, "id", anchor)
        _sub(
            item,
            "title",
            f"{label(decision.action)} · {label(decision.submission_kind)}"
            f" #{decision.submission_id}",
        )
        href = url_for_record(record, _external=True) if record is not None else anchor
        _sub(item, "link", rel="alternate", type="text/html", href=href)
        _sub(item, "published", _stamp(decision.created_at))
        _sub(item, "updated", _stamp(decision.created_at))
        lines = []
        if record is not None:
            lines.append(f"{_('Record')}: {record.headline[:200]}")
        if decision.reason_code:
            lines.append(f"{_('Reason')}: {label(decision.reason_code)}")
        lines.append(f"{_('Moderator')}: {decision.moderator_handle}")
        _sub(item, "summary", "\n".join(lines), type="text")
        _sub(item, "category", term=decision.action.value, label=str(label(decision.action)))
        _sub(
            item,
            "category",
            term=f"kind:{decision.submission_kind.value}",
            label=str(label(decision.submission_kind)),
        )
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
