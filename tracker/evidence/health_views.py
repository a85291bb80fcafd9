"""Link health on the pages: notes beside sources, the source page's checks, and the
moderators' list of source pages that changed, moved or went away (/moderation/links)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    render_template,
    request,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlmodel import col, select

from tracker.auth import moderator_required, register_user_nav
from tracker.db import get_session
from tracker.evidence import archive, checking, display
from tracker.evidence.health import CheckPolicy
from tracker.i18n import format_partial_date, per_language
from tracker.models import (
    ArchiveState,
    DatePrecision,
    LinkHealth,
    ListNote,
    Source,
    SourceFetch,
    WaybackCapture,
)

bp = Blueprint("health", __name__, url_prefix="/moderation")
PAGE_SIZE = 50


def policy() -> CheckPolicy:
    """Return the link check settings (read once per request: a timeline asks hundreds of
    times)."""
    if "link_check_policy" not in g:
        g.link_check_policy = CheckPolicy.from_config(current_app.config)
    return g.link_check_policy


def health_notices(item) -> list[checking.HealthNotice]:
    """Return what readers are told about a source's page (from the page's archive memo)."""
    status = display.archive_status(item)
    if status is None:
        return []
    return checking.notices(status.row, policy())


class SourceNotes:
    """Writes the notes beside sources in a list: " · archived 27 November 2026" (or
    pending, failed, refused), and whether the page changed or went away since.

    Python rather than template macros, with the words translated and the reader's time
    zone looked up once: a brand's timeline writes hundreds.
    """

    def __init__(self) -> None:
        self.policy = policy()
        self.timezone = _fast_zone(get_timezone())
        # Flask-Babel's gettext without arguments returns the pattern, formatted here.
        self.words = {
            "archived": _("archived %(date)s"),
            ArchiveState.refused: _("not archived: unsafe address"),
            ArchiveState.failed: _("archiving failed"),
            ArchiveState.pending: _("archiving pending"),
            "changed": _("source page changed on %(date)s"),
            "unavailable": _("source page unavailable since %(date)s"),
        }

    @classmethod
    def for_request(cls) -> SourceNotes:
        """Return the request's writer for the current language."""
        return per_language("source_notes", cls)

    def day(self, moment: dt.datetime) -> str:
        """Write the reader's day of a moment in full (as the long_date filter does)."""
        if moment.tzinfo is None:  # stored moments are UTC
            moment = moment.replace(tzinfo=dt.UTC)
        return format_partial_date(moment.astimezone(self.timezone).date(), DatePrecision.day)

    def __call__(self, source, note: ListNote | None) -> Markup:
        """Return the notes beside a source with this list note."""
        if note is None:
            return Markup("")
        state = note.state
        if note.copied_at is not None:
            text = self.words["archived"] % {"date": self.day(note.copied_at)}
        else:  # fetched without a copy: its copy is gone, a new one is on its way
            text = self.words.get(state, self.words[ArchiveState.pending])
        written = f' · <span class="archive-note archive-{state.value}">{escape(text)}</span>'
        if note.changed_at is not None or note.unavailable_since is not None:
            written += self._health(checking.notices(note, self.policy))
        return Markup(written)

    def health(self, notices: list[checking.HealthNotice]) -> Markup:
        """Return the notes that a source's page changed or went away."""
        return Markup(self._health(notices))

    def _health(self, notices: list[checking.HealthNotice]) -> str:
        return "".join(
            f' · <span class="health-note health-{notice.kind}">'
            f"{escape(self.words[notice.kind] % {'date': self.day(notice.since)})}</span>"
            for notice in notices
        )


def _fast_zone(zone: dt.tzinfo | None) -> dt.tzinfo:
    """Return the reader's time zone as zoneinfo when the system knows it: pytz's
    astimezone and normalize took 5 µs a date, and a timeline writes hundreds."""
    name = getattr(zone, "zone", None)  # a pytz zone's name: "Europe/Amsterdam"
    if name:
        try:
            return ZoneInfo(name)
        except ZoneInfoNotFoundError:  # no time zone database here: pytz's own will do
            pass
    return zone or dt.UTC


def source_notes(source) -> Markup:
    """The notes beside a source in a list (a template global)."""
    status = display.archive_status(source)
    return SourceNotes.for_request()(source, status.note if status is not None else None)


def health_note(source, notices: list[checking.HealthNotice] | None = None) -> Markup:
    """The notes that a source's page changed or went away (a template global)."""
    if notices is None:
        notices = health_notices(source)
    return SourceNotes.for_request().health(notices)


def claim_health_notices(claim) -> list[tuple[Source, list[checking.HealthNotice]]]:
    """Return the claim's sources whose page changed or went away, with what to say."""
    citations = list(claim.citations)
    display.prefetch_archives(citations)
    found = []
    for citation in citations:
        notices = health_notices(citation.source)
        if notices:
            found.append((citation.source, notices))
    return found


def link_checks(source: Source, limit: int = 100) -> list[SourceFetch]:
    """Return a source address's link checks, newest first."""
    return checking.checks_for(get_session(), source.url_key, limit=limit)


def kept_copies(source: Source) -> list[SourceFetch]:
    """Return every kept copy of a source, newest first."""
    return list(reversed(archive.captures_for(get_session(), source)))


def wayback_captures(source: Source, limit: int = 20) -> list[WaybackCapture]:
    """Return the Wayback Machine captures asked for a source's address, newest first."""
    return list(
        get_session().exec(
            select(WaybackCapture)
            .where(WaybackCapture.url_key == source.url_key)
            .order_by(col(WaybackCapture.requested_at).desc(), col(WaybackCapture.id).desc())
            .limit(limit)
        )
    )


def _healths() -> list[LinkHealth]:
    chosen = []
    for raw in request.args.getlist("health"):
        try:
            chosen.append(LinkHealth(raw))
        except ValueError:
            continue
    return [health for health in chosen if health in checking.ATTENTION]


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@bp.get("/links")
@moderator_required
def links():
    """Source pages that changed, moved, broke or were refused, the latest news first."""
    healths = _healths()
    page = _page()
    found = checking.needing_attention(
        get_session(), healths=healths, page=page, page_size=PAGE_SIZE
    )
    return render_template(
        "evidence/links.html",
        found=found,
        healths=healths,
        all_healths=checking.ATTENTION,
        page=page,
        more=page * PAGE_SIZE < found.total,
        confirm=policy().confirm,
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_user_nav(app, "health.links", _l("Link health"), 55, lambda u: u.is_moderator)
    app.jinja_env.globals.update(
        health_notices=health_notices,
        health_note=health_note,
        source_notes=source_notes,
        claim_health_notices=claim_health_notices,
        link_checks=link_checks,
        kept_copies=kept_copies,
        wayback_captures=wayback_captures,
    )
