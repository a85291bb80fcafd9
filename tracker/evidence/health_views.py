"""Link health on the pages: notes beside sources, the source page's checks, and the
moderators' list of source pages that changed, moved or went away (/moderation/links)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    get_template_attribute,
    render_template,
    request,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlmodel import col, select

from tracker.auth import moderator_required, register_user_nav
from tracker.db import get_session
from tracker.evidence import archive, checking, display
from tracker.evidence.health import CheckPolicy
from tracker.models import LinkHealth, Source, SourceFetch, WaybackCapture

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
    row = status.row
    if row.changed_at is None and row.unavailable_since is None:  # the common case, quickly
        return []
    return checking.notices(row, policy())


def source_notes(source) -> Markup:
    """The notes beside a source in a list: its archived copy, and whether its page changed
    or went away. One call per source line (a brand's timeline has hundreds)."""
    note = display.archive_note(source)
    notices = health_notices(source)
    if notices:
        health_note = get_template_attribute("evidence/_health.html", "health_note")
        note += health_note(source, notices)
    return note


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
        source_notes=source_notes,
        claim_health_notices=claim_health_notices,
        link_checks=link_checks,
        kept_copies=kept_copies,
        wayback_captures=wayback_captures,
    )
