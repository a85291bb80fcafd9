"""/search: one box across brands, claims, contradictions and sources, with filters."""

from __future__ import annotations

import click
from flask import Blueprint, render_template, request, url_for

from tracker.db import get_db, get_session
from tracker.labels import label
from tracker.legal.display import flag_choice
from tracker.models import ClaimStatus, ContradictionState, EntityType, Topic
from tracker.services import search
from tracker.services.search import SEARCHED_TYPES, SearchFilters
from tracker.services.search_text import highlight

bp = Blueprint("search", __name__)

PER_TYPE = 5
PER_PAGE = 20
MAX_PAGE = search.MATCH_CAP // PER_PAGE
STATES = [*ContradictionState, *ClaimStatus]


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name, "")
    return value if value in {str(item) for item in allowed} else None


def _text(name: str) -> str | None:
    # A NUL byte is refused by PostgreSQL; such a filter counts as not given.
    value = request.args.get(name, "")[:120]
    return value if value and "\x00" not in value else None


def _filters() -> tuple[SearchFilters, dict]:
    """Read the filters; a value that is not on offer is ignored, never an error."""
    kind = _choice("type", SEARCHED_TYPES)
    year = request.args.get("year", "")
    country = request.args.get("country", "").upper()
    chosen = {
        "type": kind,
        "topic": _choice("topic", Topic),
        "state": _choice("state", STATES),
        "sector": _text("sector"),
        "country": country if len(country) == 2 and country.isalpha() else None,
        "year": int(year) if year.isdigit() and len(year) == 4 else None,
        "flag": flag_choice(_text("flag")),
    }
    filters = SearchFilters(
        types=(EntityType(kind),) if kind else SEARCHED_TYPES,
        topic=chosen["topic"],
        sector=chosen["sector"],
        country=chosen["country"],
        year=chosen["year"],
        state=chosen["state"],
        flag=chosen["flag"],
    )
    return filters, chosen


@bp.get("/search")
def search_page():
    text = request.args.get("q", "")
    filters, chosen = _filters()
    raw_page = request.args.get("page", "1")
    page = min(int(raw_page), MAX_PAGE) if raw_page.isdigit() and len(raw_page) < 4 else 1
    page = max(page, 1)
    one_type = chosen["type"] is not None
    session = get_session()
    result = search.search(
        session,
        text=text,
        filters=filters,
        per_type=PER_PAGE if one_type else PER_TYPE,
        offset=(page - 1) * PER_PAGE if one_type else 0,
    )
    return render_template(
        "search/search.html",
        text=text,
        result=result,
        chosen=chosen,
        page=page,
        per_page=PER_PAGE,
        one_type=one_type,
        facets=search.facets(session),
        topics=list(Topic),
        states=list(ContradictionState),
        types=SEARCHED_TYPES,
    )


@bp.app_template_global()
def search_hit_url(hit: search.Hit) -> str:
    """Return the permanent address of a search hit."""
    if hit.entity_type is EntityType.brand:
        return url_for("public.brand", slug=hit.slug)
    return url_for(f"public.{hit.entity_type.value}", record_id=hit.entity_id)


@bp.app_template_global()
def label_for_state(value: str) -> object:
    """Return the reader's name of a contradiction state or claim status."""
    for enum in (ContradictionState, ClaimStatus):
        if value in enum.__members__:
            return label(enum(value))
    return value


@bp.app_template_global()
def chosen_filters(chosen: dict, keep_type: bool = False) -> dict:
    """Return the filters in force, for links that keep them."""
    return {
        name: value
        for name, value in chosen.items()
        if value is not None and (keep_type or name != "type")
    }


bp.add_app_template_global(highlight, "highlight")


@bp.cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the records (after a bulk load, say)."""
    with get_db().unit_of_work() as session:
        made = search.reindex_all(session)
    click.echo(f"Search index rebuilt: {made:,} documents.")
