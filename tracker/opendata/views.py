"""/data/ downloads, /feeds/*.atom, /sitemap.xml and /robots.txt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from tracker.db import get_session
from tracker.models import DecisionAction, EntityType, SubmissionKind, Topic
from tracker.opendata import atom, sitemap
from tracker.opendata.builds import builder
from tracker.services import export, feeds, moderation, published
from tracker.services.published import NotPublished

bp = Blueprint("opendata", __name__)
DOWNLOADS = {export.CSV_ZIP: "application/zip", export.JSON_FILE: "application/json"}


RETRY_AFTER = 60  # seconds, when no build exists yet


def _site() -> str:
    return current_app.config["SITE_URL"] or request.url_root


def _manifest() -> dict | None:
    """Return the build to serve (None while the first one is being made)."""
    return builder(current_app).current(site=_site())


@bp.get("/data/")
def data_page():
    manifest = _manifest()
    page = render_template(
        "opendata/data.html",
        manifest=manifest,
        made_at=dt.datetime.fromisoformat(manifest["made_at"])
        if manifest
        else dt.datetime.now(dt.UTC),
        tables=export.tables(_site()),
        licence=export.LICENCE,
        topics=list(Topic),
        retry_after=RETRY_AFTER,
    )
    # The page is useful without the files (licence, dictionary): a 200 that says so.
    response = Response(page)
    if manifest is None:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


@bp.get("/data/<name>")
def download(name: str):
    if name not in DOWNLOADS:
        abort(404)
    manifest = _manifest()
    if manifest is None:
        response = Response(
            _("The downloads are being prepared. Please try again in a minute."),
            status=503,
            mimetype="text/plain",
        )
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    path = Path(manifest["folder"]) / name
    response = send_file(
        path,
        mimetype=DOWNLOADS[name],
        as_attachment=True,
        download_name=f"{manifest['made_at'][:10]}-{name}",
        etag=manifest["files"][name]["sha256"],
        max_age=300,
        conditional=True,
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Digest"] = "sha-256=" + _base64(manifest["files"][name]["sha256"])
    return response


def _base64(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def _feed(title: str, filters: dict | None, html_url: str) -> Response:
    entries = feeds.newest_events(get_session(), filters=filters)
    body = atom.render(title=title, entries=entries, self_url=request.url, html_url=html_url)
    return _atom_response(body)


def _atom_response(body: bytes) -> Response:
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/feeds/all.atom")
def feed_all():
    return _feed(atom.site_title("all"), None, url_for("public.home", _external=True))


@bp.get("/feeds/brands/<slug>.atom")
def feed_brand(slug: str):
    try:
        brand = published.published_record(get_session(), entity_type=EntityType.brand, key=slug)
    except (NotPublished, published.Moved):
        abort(404)
    html = url_for("public.brand", slug=brand.slug, _external=True)
    return _feed(atom.site_title("brand", brand.name), {"brand": brand.slug}, html)


@bp.get("/feeds/topics/<topic>.atom")
def feed_topic(topic: str):
    if topic not in Topic.__members__:
        abort(404)
    html = url_for("opendata.data_page", _external=True)
    return _feed(atom.site_title("topic", Topic(topic)), {"topic": Topic(topic)}, html)


@bp.get("/feeds/moderation.atom")
def feed_moderation():
    """The public moderation log as a feed: the newest decisions, filtered like the page."""
    action = _enum_arg("decision", DecisionAction)
    kind = _enum_arg("kind", SubmissionKind)
    session = get_session()
    page = moderation.public_log(session, action=action, kind=kind, page_size=feeds.FEED_SIZE)
    log_url = url_for("moderate.log", _external=True)
    body = atom.render_log(
        title=atom.site_title("moderation"),
        decisions=page.rows,
        records=moderation.log_records(session, page.rows),
        self_url=request.url,
        log_url=log_url,
    )
    return _atom_response(body)


def _enum_arg(name: str, enum_cls):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/sitemap.xml")
def sitemap_index():
    body = sitemap.index(get_session(), root=request.url_root)
    return Response(body, mimetype="application/xml")


@bp.get("/sitemaps/<kind>-<int:chunk>.xml")
def sitemap_chunk(kind: str, chunk: int):
    body = sitemap.chunk(get_session(), root=request.url_root, kind=kind, chunk=chunk)
    if body is None:
        abort(404)
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /moderation/",
        "Disallow: /submit/",
        "Disallow: /submissions/",
        "Disallow: /account/",
        "Disallow: /admin/",
        "Disallow: /search",
        "Allow: /",
        f"Sitemap: {url_for('opendata.sitemap_index', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
