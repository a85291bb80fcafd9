"""The public site: home, brand index, brand timelines, one page per record, histories."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from sqlalchemy import text
from werkzeug.wrappers import Response as WerkzeugResponse

from tracker.db import get_db, get_session
from tracker.legal.display import flag_choice
from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    EntityType,
    PublicRecord,
)
from tracker.public import timeline_html
from tracker.services import catalogue, revisions, timeline
from tracker.services.catalogue import NotFound
from tracker.web import PLURALS, url_for_history, url_for_record

bp = Blueprint("public", __name__)
bp.add_app_template_global(timeline_html.source_line)
bp.add_app_template_global(timeline_html.timeline_writer)


def page_number() -> int:
    """Read ?page=; anything that is not a positive whole number means the first page."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@bp.get("/")
def home():
    session = get_session()
    return render_template(
        "public/home.html",
        counts=catalogue.site_counts(session),
        latest=catalogue.latest_contradictions(session, limit=8),
    )


def text_arg(name: str) -> str:
    """Read a text parameter; one holding a NUL byte (PostgreSQL refuses it) counts as absent."""
    value = request.args.get(name, "")
    return "" if "\x00" in value else value


@bp.get("/brands/")
def brands():
    letter = request.args.get("letter", "").upper() or None
    if letter not in (None, catalogue.OTHER_LETTER, *catalogue.LETTERS):
        letter = None
    sector = text_arg("sector")
    country = text_arg("country").upper()
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        country = ""  # not an ISO 3166-1 code: no country filter
    flag = flag_choice(text_arg("flag")) or ""
    index = catalogue.brand_index(
        get_session(),
        letter=letter,
        sector=sector or None,
        country=country or None,
        flag=flag or None,
        page=page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "public/brands.html",
        index=index,
        letter=letter,
        letters=catalogue.LETTERS,
        other_letter=catalogue.OTHER_LETTER,
        sector=sector,
        country=country,
        flag=flag,
    )


def _brand_or_404(slug: str) -> Brand:
    if "\x00" in slug:  # no slug holds one, and PostgreSQL would refuse the query
        abort(404)
    try:
        return catalogue.brand_by_slug(get_session(), slug)
    except NotFound:
        abort(404)


def _moved(record: PublicRecord, history: bool = False) -> WerkzeugResponse | None:
    """Answer a merged record's address with a permanent redirect to where it went."""
    target_id = getattr(record, "merged_into_id", None)
    if target_id is None:
        return None
    target = get_session().get(type(record), target_id)
    if target is None:
        return None
    return redirect((url_for_history if history else url_for_record)(target), code=301)


@bp.get("/brands/<slug>")
def brand(slug: str):
    record = _brand_or_404(slug)
    if moved := _moved(record):
        return moved
    newest_first = request.args.get("order", "newest") != "oldest"
    return render_template(
        "public/brand.html",
        brand=record,
        timeline=timeline.brand_timeline(get_session(), record, newest_first=newest_first),
    )


@bp.get("/brands/<slug>/history")
def brand_history(slug: str):
    record = _brand_or_404(slug)
    if moved := _moved(record, history=True):
        return moved
    return _render_history(record)


def _render_history(record: PublicRecord):
    entries = revisions.history(get_session(), record.entity_type, record.id)
    by_version = {revision.version: revision for revision in entries}
    compare = None
    old_v, new_v = request.args.get("from", ""), request.args.get("to", "")
    if old_v or new_v:
        if not (old_v.isdigit() and new_v.isdigit()):
            abort(400)
        old, new = by_version.get(int(old_v)), by_version.get(int(new_v))
        if old is None or new is None:
            abort(404)
        compare = (old, new, revisions.diff(old.snapshot, new.snapshot))
    steps = [
        (
            revision,
            revisions.diff(by_version[revision.version - 1].snapshot, revision.snapshot)
            if revision.version - 1 in by_version
            else [],
        )
        for revision in entries
    ]
    return render_template(
        "public/history.html", record=record, steps=list(reversed(steps)), compare=compare
    )


def _record_or_404(entity_type: EntityType, record_id: int) -> PublicRecord:
    try:
        return catalogue.record_by_id(get_session(), PUBLIC_MODELS[entity_type], record_id)
    except NotFound:
        abort(404)


def _record_view(entity_type: EntityType):
    def view(record_id: int):
        record = _record_or_404(entity_type, record_id)
        if moved := _moved(record):
            return moved
        return render_template(f"public/{entity_type.value}.html", record=record)

    view.__name__ = entity_type.value
    return view


def _history_view(entity_type: EntityType):
    def view(record_id: int):
        record = _record_or_404(entity_type, record_id)
        if moved := _moved(record, history=True):
            return moved
        return _render_history(record)

    view.__name__ = f"{entity_type.value}_history"
    return view


for _entity_type, _plural in PLURALS.items():
    bp.add_url_rule(f"/{_plural}/<int:record_id>", view_func=_record_view(_entity_type))
    bp.add_url_rule(f"/{_plural}/<int:record_id>/history", view_func=_history_view(_entity_type))


@bp.get("/healthz")
def healthz():
    try:
        with get_db().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/about")
def about():
    return render_template("public/about.html")
