"""An archived copy opens as a download, as plain text or in the browser's sandbox, never as
live HTML on the tracker's origin; and export-warc writes a source's every copy."""

from __future__ import annotations

import hashlib
import io

from warcio.archiveiterator import ArchiveIterator

from tests.evidence.pages import ARTICLE
from tests.evidence.support import fetches_of, publish_source

HOSTILE = """<!doctype html><html><head><meta charset="windows-1252">
<title>Hostile</title><meta http-equiv="refresh" content="0;url=/moderation/">
<script>document.title = "owned"; fetch("/moderation/");</script></head>
<body><img src="x" onerror="document.title='owned'"><p>Caf\xe9 cr\xe8me</p>
<form method="post" action="/submit/brand"><button>Go</button></form></body></html>"""


def _capture(app, pages, path="/report", body=ARTICLE, **options):
    url = pages.add(path, body, **options)
    source_id = publish_source(app, url)
    [capture] = fetches_of(app, url)
    return source_id, capture


def test_the_sandboxed_view_runs_nothing_and_sends_no_cookie_need(app, client, pages):
    _, capture = _capture(
        app, pages, body=HOSTILE.encode("cp1252"), content_type="text/html; charset=windows-1252"
    )
    response = client.get(f"/archived/{capture.id}/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = [part.strip() for part in policy.split(";")]
    assert directives[0] == "sandbox"  # and no allow-scripts, allow-forms, allow-same-origin
    assert "allow-" not in policy
    assert "default-src 'none'" in directives
    assert "form-action 'none'" in directives
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "text/html; charset=windows-1252"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    assert response.data == HOSTILE.encode("cp1252")  # as it was, to the byte


def test_the_text_view_is_plain_text_in_utf8(app, client, pages):
    _, capture = _capture(
        app, pages, body=HOSTILE.encode("cp1252"), content_type="text/html; charset=windows-1252"
    )
    response = client.get(f"/archive/{capture.id}/text")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert "Café crème" in response.get_data(as_text=True)
    assert "<script>" in response.get_data(as_text=True)  # shown as text, not run


def test_the_warc_download_is_an_attachment_holding_the_capture(app, client, pages):
    _, capture = _capture(app, pages)
    response = client.get(f"/archive/{capture.id}.warc.gz")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="capture-')
    assert response.headers["Content-Type"] == "application/gzip"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    records = list(ArchiveIterator(io.BytesIO(response.data), check_digests="raise"))
    assert [record.rec_type for record in records] == ["request", "response", "metadata"]


def test_unknown_and_unpublished_copies_are_not_found(app, client, pages):
    from tracker.db import get_db
    from tracker.models import Source, Visibility
    from tracker.services.revisions import SEED, save_revision

    source_id, capture = _capture(app, pages)
    assert client.get("/archive/999999/text").status_code == 404
    assert client.get("/archived/999999/").status_code == 404
    with app.app_context(), get_db().unit_of_work() as session:
        source = session.get(Source, source_id)
        source.visibility = Visibility.withdrawn
        save_revision(session, source, author=SEED, reason="withdrawn")
    for path in (
        f"/archive/{capture.id}/text",
        f"/archive/{capture.id}/file",
        f"/archive/{capture.id}.warc.gz",
        f"/archived/{capture.id}/",
    ):
        assert client.get(path).status_code == 404, path


def test_export_warc_writes_every_copy_of_a_source(app, pages, tmp_path):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    pages.add("/report", ARTICLE.replace("polyethylene", "nylon"))  # the page changes
    runner = app.test_cli_runner()
    assert runner.invoke(args=["fetch-sources", "--all"]).exit_code == 0

    target = tmp_path / "export.warc.gz"
    result = runner.invoke(args=["export-warc", str(source_id), "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 capture(s)" in result.output
    with open(target, "rb") as handle:
        responses = [
            record.content_stream().read()
            for record in ArchiveIterator(handle, check_digests="raise")
            if record.rec_type == "response"
        ]
    assert responses == [ARTICLE.encode(), ARTICLE.replace("polyethylene", "nylon").encode()]
    assert [f.sha256 for f in fetches_of(app, url)] == [
        hashlib.sha256(body).hexdigest() for body in responses
    ]


def test_export_warc_explains_what_it_cannot_do(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export-warc", "4242"])
    assert result.exit_code != 0
    assert "no source has the id 4242" in result.output
