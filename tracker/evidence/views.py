"""Opening an archived copy, never as live HTML on the tracker's origin.

Four ways, each with X-Content-Type-Options: nosniff and a sandboxing Content-Security-Policy:
- /archive/<id>.warc.gz   the capture's WARC file, as a download (Content-Disposition)
- /archive/<id>/file      the body as it was received, as a download
- /archive/<id>/text      the body as plain text
- /archived/<id>/         the page itself, from a separate path, under
                          `Content-Security-Policy: sandbox` without allow-scripts: the browser
                          runs no script, submits no form and gives it an opaque origin, so it
                          can neither read the tracker's cookies nor act as the tracker.
A copy of an address that no published source has (one only in a submission) is for
moderators alone; anyone else gets 404.
"""

from __future__ import annotations

import mimetypes
import re

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.evidence import display, warc
from tracker.evidence.archive import archive_folder
from tracker.models import Source, SourceFetch, Visibility

bp = Blueprint("evidence", __name__)

# Nothing runs, nothing loads from elsewhere, no form goes anywhere; inline styles and
# embedded images still show so the page can be read.
SANDBOX_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)
DOWNLOAD_POLICY = "sandbox; default-src 'none'"
CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


def _public(capture: SourceFetch) -> bool:
    return (
        get_session()
        .exec(
            select(Source.id)
            .where(Source.url_key == capture.url_key, Source.visibility == Visibility.published)
            .limit(1)
        )
        .first()
        is not None
    )


def _capture_or_404(capture_id: int) -> SourceFetch:
    capture = get_session().get(SourceFetch, capture_id)
    if capture is None or not capture.has_copy or capture.sha256 is None:
        abort(404)
    moderator = current_user.is_authenticated and current_user.is_moderator
    if not moderator and not _public(capture):
        abort(404)
    return capture


def _harden(response: Response, *, policy: str, public: bool = True) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # A copy never changes; one that only moderators may see is not kept by shared caches.
    response.headers["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


def _body(capture: SourceFetch) -> warc.ArchivedBody | Response:
    try:
        return warc.read_body(
            archive_folder(current_app), capture.warc_path, capture.warc_offset or 0, capture.sha256
        )
    except warc.ArchiveCorrupt:
        current_app.logger.exception("archived copy %s cannot be served", capture.id)
        return Response(
            render_template("evidence/damaged.html", capture=capture),
            status=500,
            mimetype="text/html",
        )


def _charset(capture: SourceFetch, body: bytes) -> str:
    found = CHARSET.search(capture.content_type or "") or CHARSET.search(
        body[:2048].decode("ascii", "replace")
    )
    if found:
        name = found.group(1).lower()
        try:
            body[:0].decode(name)
        except LookupError:
            name = None
        if name:
            return name
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "windows-1252"


def _filename(capture: SourceFetch, suffix: str) -> str:
    day = capture.fetched_at.strftime("%Y%m%dT%H%M%SZ")
    return f"capture-{capture.id}-{day}{suffix}"


@bp.get("/archive/<int:capture_id>.warc.gz")
def warc_record(capture_id: int):
    """The capture's WARC file (request, response and metadata records), as a download."""
    capture = _capture_or_404(capture_id)
    public = _public(capture)
    try:
        data = warc.file_bytes(archive_folder(current_app), capture.warc_path)
    except warc.ArchiveCorrupt:
        current_app.logger.exception("archived copy %s cannot be served", capture.id)
        return render_template("evidence/damaged.html", capture=capture), 500
    response = Response(data, mimetype="application/gzip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(capture, ".warc.gz")}"'
    )
    return _harden(response, policy=DOWNLOAD_POLICY, public=public)


@bp.get("/archive/<int:capture_id>/file")
def as_file(capture_id: int):
    """The body as it was received, as a download (never shown inline)."""
    capture = _capture_or_404(capture_id)
    body = _body(capture)
    if isinstance(body, Response):
        return body
    extension = mimetypes.guess_extension(display.media_type(capture.content_type)) or ".bin"
    response = Response(body.body, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(capture, extension)}"'
    )
    return _harden(response, policy=DOWNLOAD_POLICY, public=_public(capture))


@bp.get("/archive/<int:capture_id>/text")
def as_text(capture_id: int):
    """The body as plain text, in UTF-8 whatever it was sent in."""
    capture = _capture_or_404(capture_id)
    if not display.is_text(capture):
        abort(404)
    body = _body(capture)
    if isinstance(body, Response):
        return body
    text = body.body.decode(_charset(capture, body.body), "replace")
    response = Response(text, mimetype="text/plain")  # Flask adds charset=utf-8
    return _harden(response, policy=DOWNLOAD_POLICY, public=_public(capture))


@bp.get("/archived/<int:capture_id>/")
def sandboxed(capture_id: int):
    """The archived page, shown in the browser's sandbox: no script, no form, no origin."""
    capture = _capture_or_404(capture_id)
    if not display.is_page(capture):
        abort(404)
    body = _body(capture)
    if isinstance(body, Response):
        return body
    kind = display.media_type(capture.content_type)
    response = Response(body.body)
    response.headers["Content-Type"] = f"{kind}; charset={_charset(capture, body.body)}"
    return _harden(response, policy=SANDBOX_POLICY, public=_public(capture))
