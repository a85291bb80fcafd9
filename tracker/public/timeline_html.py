"""A brand timeline's events and the source lines of any page, written as HTML in Python.

A brand page shows hundreds of events and source lines. As Jinja macros they took about
80 µs an event, two thirds of the page: every call and every `{{ }}` from a template goes
through Jinja's runtime, and every helper looked the request up again (its language, the
archive states, the link-check settings). A TimelineWriter looks all that up once per page
and writes each event with one call that joins escaped strings. The rarer, richer parts (a
claim's legal flags, a source's link health) stay in templates and are called only where
there is something to show.

Everything a reader sees passes through `escape`. tests/test_timeline_html.py checks the
markup readers and browsers rely on.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, get_template_attribute
from flask_babel import gettext as _
from flask_babel import ngettext
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from tracker.evidence import display, health_views
from tracker.i18n import html_language, per_language, time_tag
from tracker.labels import label
from tracker.legal.display import claim_flags_for
from tracker.models import ClaimStatus, EntityType
from tracker.reply import invitation_for, today
from tracker.services.timeline import SourceLine, TimelineEvent
from tracker.web import (
    read_record_text,
    record_path_pattern,
    see_changes_text,
    timeline_texts,
    url_for_history,
)

SUMMARY_LENGTH = 400  # characters of an event's summary on the timeline
HEADLINE_HINT_LENGTH = 80  # of a source's headline, read out after "source details"


class TimelineWriter:
    """Writes the events and source lines of one page.

    Words every line repeats (labels, the "Sources" of a list) are escaped once per page;
    ids, kinds and the addresses built by url_for need no escaping; every text from a
    record is escaped where it is written.
    """

    def __init__(self) -> None:
        self.source_notes = health_views.SourceNotes.for_request()
        self.texts = {key: str(escape(text)) for key, text in timeline_texts().items()}
        self.jinja = current_app.jinja_env
        self.paths: dict[EntityType, tuple[str, str]] = {}
        self.words: dict[Any, str] = {}  # escaped labels, languages and link texts
        self.today = today()

    @classmethod
    def for_request(cls) -> TimelineWriter:
        """Return the request's writer for the current language (a page's lists share one)."""
        return per_language("timeline_writers", cls)

    def record_path(self, record) -> str:
        """Return the address of a record's own page (not a brand's), escaped."""
        entity_type = record.entity_type
        pattern = self.paths.get(entity_type)
        if pattern is None:
            head, tail = record_path_pattern(f"public.{entity_type.value}")
            pattern = self.paths[entity_type] = (str(escape(head)), str(escape(tail)))
        return f"{pattern[0]}{record.id}{pattern[1]}"

    def truncate(self, text: str, length: int) -> str:
        """Shorten a text as Jinja's truncate filter does (at a word, with "...")."""
        if len(text) <= length:  # most are short enough: skip the filter's checks
            return text
        return do_truncate(self.jinja, text, length)

    def label(self, value) -> str:
        """Return an enum value's name in the reader's language, escaped."""
        key = (type(value), value)  # two enums may share a value ("other")
        word = self.words.get(key)
        if word is None:
            word = self.words[key] = str(escape(label(value)))
        return word

    def language(self, code: str | None) -> str:
        """Return ' lang="nl"' (or hreflang's value) for a record's language, or ''."""
        key = ("language", code)
        attribute = self.words.get(key)
        if attribute is None:
            value = html_language(code)
            attribute = self.words[key] = f'"{escape(value)}"' if value else ""
        return attribute

    def read_more(self, record) -> str:
        """Return the escaped words of the link to a record's own page."""
        key = ("read", record.entity_type)
        words = self.words.get(key)
        if words is None:
            words = self.words[key] = str(escape(read_record_text(record)))
        return words

    def source_line(self, source, details_text: str | None = None) -> Markup:
        """Return a source's line in a list: its link, publisher and date, a link to its
        page, and what the tracker knows of its archived copy and link health."""
        hreflang = self.language(source.language)
        headline = source.headline
        parts = [
            f'<a href="{escape(source.url)}" rel="external noopener nofollow"',
            f" hreflang={hreflang}>" if hreflang else ">",
            escape(headline),
            "</a>",
        ]
        if source.publisher:
            parts.append(f", {escape(source.publisher)}")
        if source.date:
            parts.append(", ")
            parts.append(
                time_tag(
                    source.date, source.date_precision, source.date_end, source.date_end_precision
                )
            )
        details = escape(details_text) if details_text else self.texts["source_details"]
        hint = self.truncate(headline, HEADLINE_HINT_LENGTH)
        parts.append(
            f' · <a href="{self.record_path(source)}" class="meta-link">{details}'
            f'<span class="visually-hidden">: {escape(hint)}</span></a>'
        )
        if isinstance(source, SourceLine):  # a timeline's: read with its citations
            note = source.archive_note
        else:  # a record page's: read (in a batch) through the request's memo
            status = display.archive_status(source)
            note = status.note if status is not None else None
        parts.append(self.source_notes(source, note))
        return Markup("".join(parts))

    def event(self, event: TimelineEvent) -> Markup:
        """Return one event of a brand's timeline as an <li>."""
        record = event.record
        kind = event.kind
        texts = self.texts
        if event.revision is None:
            anchor = f"{kind}-{record.id}"
        else:  # "update-response-7-v2": unique when a claim 7 was corrected too
            anchor = f"{kind}-{record.entity_type.value}-{record.id}-v{event.revision.version}"
        kind_text = texts[kind]
        if kind in ("remedy", "outcome"):
            kind_text += f": {self.label(record.kind)}"
        time = time_tag(event.date, event.precision, event.date_end, event.date_end_precision)
        parts = [
            f'\n<li class="event event-{kind}" id="{anchor}">\n<article>\n',
            '<header class="event-head">\n<h4 class="event-title">\n',
            f'{time}\n<span class="event-kind">{kind_text}</span>\n</h4>\n',
        ]
        if kind == "contradiction":
            state = record.state
            parts.append(f'<span class="badge state-{state.value}">{self.label(state)}</span>\n')
        elif kind == "claim" and record.status != ClaimStatus.active:
            parts.append(f'<span class="badge">{self.label(record.status)}</span>\n')
        parts.append('</header>\n<p class="event-summary">\n')
        if kind == "claim" and record.quote:
            lang = self.language(record.language)
            parts.append(f"<q lang={lang}>" if lang else "<q>")
            parts.append(f"{escape(record.quote)}</q>")
        else:
            parts.append(escape(self.truncate(event.summary, SUMMARY_LENGTH)))
        parts.append("\n</p>\n")
        if kind == "claim":
            flags = claim_flags_for(record)
            if flags:
                event_flags = get_template_attribute("flags/_event_flags.html", "event_flags")
                parts.append(event_flags(record, flags))
        elif kind == "contradiction":
            parts.append(self._invitation_note(record))
        if kind == "update":
            parts.append(
                f'<p class="event-link"><a href="{escape(url_for_history(record))}">'
                f"{escape(see_changes_text(record))}</a></p>\n"
            )
        else:
            if event.citations:
                lines = "".join(
                    f"<li>{self.source_line(citation.source)}</li>" for citation in event.citations
                )
                parts.append(
                    f'<ul class="event-sources" aria-label="{texts["sources"]}">\n{lines}\n</ul>\n'
                )
            parts.append(
                f'<p class="event-link"><a href="{self.record_path(record)}">'
                f"{self.read_more(record)}</a>"
            )
            if record.caveats:
                parts.append(f' · <span class="caveat-flag">{texts["with_caveats"]}</span>')
            parts.append("</p>\n")
        parts.append("</article>\n</li>")
        return Markup("".join(parts))

    def _invitation_note(self, contradiction) -> str:
        """Say how long the brand has been invited to respond, while it has not."""
        invitation = invitation_for(contradiction)
        if invitation is None:
            return ""
        days = invitation.days(self.today)
        if days == 0:
            text = _("No response yet; invited today.")
        else:
            text = ngettext(
                "No response yet, invited %(num)d day ago.",
                "No response yet, invited %(num)d days ago.",
                days,
            )
        return f'<p class="invitation-note">{escape(text)}</p>\n'


def timeline_writer() -> TimelineWriter:
    """Return the request's writer, for a brand page's timeline."""
    return TimelineWriter.for_request()


def source_line(source, details_text: str | None = None) -> Markup:
    """Return a source's line in a list (a template global, for the record pages)."""
    return TimelineWriter.for_request().source_line(source, details_text)
