"""A source address that enters the tracker is fetched in the background and kept as WARC."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import re

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.evidence.pages import ARTICLE, PDF, Pages, free_port
from tests.evidence.support import archive_of, fetches_of, publish_source
from tracker.db import get_db
from tracker.evidence import archive, fetching
from tracker.evidence.warc import payload_digest
from tracker.models import ArchiveState, AttemptOutcome, Source
from tracker.services.revisions import SEED, save_revision


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_new_source_is_archived_and_its_page_shows_the_copy(app, client, pages):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)

    [attempt] = fetches_of(app, url)
    body = ARTICLE.encode()
    assert attempt.outcome == AttemptOutcome.ok
    assert (attempt.status, attempt.size) == (200, len(body))
    assert attempt.sha256 == hashlib.sha256(body).hexdigest()
    assert attempt.source_id == source_id
    assert attempt.warc_path.endswith(".warc.gz")
    assert archive_of(app, url).state == ArchiveState.fetched

    page = text(client.get(f"/sources/{source_id}"))
    assert "Archived copy" in page
    assert attempt.sha256 in page
    assert f"{len(body)} bytes" in page
    assert attempt.fetched_at.strftime("%Y") in page
    assert f"/archived/{attempt.id}/" in page  # a page can be viewed in the sandbox
    assert f"/archive/{attempt.id}/text" in page
    assert f"/archive/{attempt.id}.warc.gz" in page


def test_a_pdf_is_kept_byte_for_byte_and_offered_as_a_download(app, client, pages):
    url = pages.add("/report.pdf", PDF, content_type="application/pdf")
    source_id = publish_source(app, url, title="A fictional PDF report")
    [attempt] = fetches_of(app, url)
    assert attempt.content_type == "application/pdf"

    page = text(client.get(f"/sources/{source_id}"))
    assert f"/archive/{attempt.id}/file" in page
    assert f"/archived/{attempt.id}/" not in page  # not a page: no sandboxed view
    assert f"/archive/{attempt.id}/text" not in page

    download = client.get(f"/archive/{attempt.id}/file")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Disposition"].endswith('.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/archived/{attempt.id}/").status_code == 404


def test_a_404_is_fetched_and_shows_its_status(app, client, pages):
    url = pages.url("/gone")  # the server answers 404 for any unknown path
    source_id = publish_source(app, url)
    [attempt] = fetches_of(app, url)
    assert (attempt.outcome, attempt.status) == (AttemptOutcome.ok, 404)
    row = archive_of(app, url)
    assert row.state == ArchiveState.fetched
    assert row.next_retry_at is None  # an answer is not retried; link health re-checks it

    page = text(client.get(f"/sources/{source_id}"))
    assert re.search(r"HTTP status</dt><dd>404", page)
    assert "the site answered with an error" in page


def test_a_refused_connection_is_recorded_and_retried_with_backoff(app, client):
    port = free_port()
    url = f"http://127.0.0.1:{port}/later"
    source_id = publish_source(app, url)

    [first] = fetches_of(app, url)
    assert first.outcome == AttemptOutcome.failed
    assert first.reason  # why, as the fetcher said
    row = archive_of(app, url)
    assert (row.state, row.failures, row.capture_id) == (ArchiveState.failed, 1, None)
    assert row.next_retry_at - first.fetched_at == dt.timedelta(seconds=60)
    page = text(client.get(f"/sources/{source_id}"))
    assert "The latest attempt to fetch it failed:" in page
    assert first.reason[:40] in html.unescape(page)
    assert "Next attempt after" in page

    jobs = app.extensions["tracker_jobs"]
    assert jobs.sweep(now=first.fetched_at + dt.timedelta(seconds=59)) == []  # not yet due
    assert jobs.sweep(now=first.fetched_at + dt.timedelta(seconds=61)) == [url]
    second = fetches_of(app, url)[-1]
    assert (second.outcome, second.attempt) == (AttemptOutcome.failed, 2)
    assert second.next_retry_at - second.fetched_at == dt.timedelta(seconds=120)  # doubled

    server = Pages(port=port)  # the site comes back
    try:
        server.add("/later", ARTICLE)
        assert jobs.sweep(now=second.fetched_at + dt.timedelta(seconds=121)) == [url]
    finally:
        server.close()
    third = fetches_of(app, url)[-1]
    assert (third.outcome, third.status, third.attempt) == (AttemptOutcome.ok, 200, 3)
    row = archive_of(app, url)
    assert (row.state, row.failures, row.next_retry_at) == (ArchiveState.fetched, 0, None)
    assert len(fetches_of(app, url)) == 3  # every attempt is kept


def test_retries_stop_after_the_limit(app):
    app.config["ARCHIVE_RETRY_LIMIT"] = 2
    url = f"http://127.0.0.1:{free_port()}/never"
    publish_source(app, url)
    first = fetches_of(app, url)[-1]
    app.extensions["tracker_jobs"].sweep(now=first.fetched_at + dt.timedelta(seconds=61))
    row = archive_of(app, url)
    assert (row.state, row.failures, row.next_retry_at) == (ArchiveState.failed, 2, None)
    assert app.extensions["tracker_jobs"].sweep(now=first.fetched_at + dt.timedelta(days=9)) == []


def _refused(url: str, settings=None) -> fetching.FetchResult:
    return fetching.FetchResult(
        requested_url=url,
        outcome=fetching.FetchOutcome.refused,
        fetched_at=dt.datetime.now(dt.UTC),
        reason="10.0.0.1 is a private address",
    )


def test_an_unsafe_address_is_shown_as_refused_and_not_retried(app, client, monkeypatch):
    monkeypatch.setattr(archive, "fetch", _refused)
    source_id = publish_source(app, "http://10.0.0.1/admin")
    row = archive_of(app, "http://10.0.0.1/admin")
    assert (row.state, row.next_retry_at) == (ArchiveState.refused, None)
    page = text(client.get(f"/sources/{source_id}"))
    assert "Not fetched: the address is unsafe to fetch" in page
    assert "10.0.0.1 is a private address" in page
    assert app.extensions["tracker_jobs"].sweep(now=row.updated_at + dt.timedelta(days=2)) == []


@pytest.mark.skipif(
    "INTERFACE STUB" in (fetching.__doc__ or ""), reason="the safe fetcher has not landed yet"
)
def test_a_loopback_address_outside_the_allow_list_is_refused(app, client):
    url = f"http://127.0.0.2:{free_port()}/internal"  # loopback, but only 127.0.0.1 is allowed
    source_id = publish_source(app, url)
    assert archive_of(app, url).state == ArchiveState.refused
    assert "Not fetched: the address is unsafe" in text(client.get(f"/sources/{source_id}"))


def test_the_warc_file_is_valid_and_its_digests_match(app, pages):
    url = pages.add("/report", ARTICLE)
    publish_source(app, url)
    [attempt] = fetches_of(app, url)
    path = archive.archive_folder(app) / attempt.warc_path

    with open(path, "rb") as handle:
        records = [
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
                record.rec_headers.get_header("WARC-Payload-Digest"),
                record.content_stream().read(),
                record.http_headers,
            )
            for record in ArchiveIterator(handle, check_digests="raise")
        ]
    assert [kind for kind, *_ in records] == ["request", "response", "metadata"]
    _, target, digest, payload, headers = records[1]
    assert target == url
    assert payload == ARTICLE.encode()
    assert digest == payload_digest(attempt.sha256)
    assert headers.get_statuscode() == "200"
    request = records[0][4]
    assert (request.protocol, request.get_header("Host")) == ("GET", f"127.0.0.1:{pages.port}")
    assert "/report" in request.statusline
    assert url.encode() in records[2][3]  # the metadata record names the address asked for

    # The offset and length in the database point at the response record alone.
    with open(path, "rb") as handle:
        handle.seek(attempt.warc_offset)
        member = handle.read(attempt.warc_length)
    record = gzip.decompress(member)
    assert b"\r\nWARC-Type: response\r\n" in record.split(b"\r\n\r\n", 1)[0]
    assert record.endswith(ARTICLE.encode() + b"\r\n\r\n")


def test_a_damaged_copy_is_not_served(app, client, pages):
    url = pages.add("/report", ARTICLE)
    publish_source(app, url)
    [attempt] = fetches_of(app, url)
    path = archive.archive_folder(app) / attempt.warc_path
    # Change the body in the response record (its digests stay as written): it no longer
    # matches the SHA-256 in the database.
    raw = path.read_bytes()
    start, end = attempt.warc_offset, attempt.warc_offset + attempt.warc_length
    record = gzip.decompress(raw[start:end]).replace(b"polyethylene", b"POLYETHYLENE")
    path.write_bytes(raw[:start] + gzip.compress(record) + raw[end:])

    response = client.get(f"/archive/{attempt.id}/text")
    assert response.status_code == 500
    assert "no longer matches the SHA-256" in text(response)
    assert "POLYETHYLENE" not in text(response)


def test_a_changed_address_is_fetched_and_an_unchanged_one_is_not_fetched_again(app, pages):
    first = pages.add("/v1", ARTICLE)
    second = pages.add("/v2", ARTICLE.replace("polyethylene", "nylon"))
    source_id = publish_source(app, first)
    with app.app_context(), get_db().unit_of_work() as session:
        source = session.get(Source, source_id)
        source.title = "A new title only"
        save_revision(session, source, author=SEED, reason="title")
    assert pages.requests == ["/v1"]  # the address already has a copy

    with app.app_context(), get_db().unit_of_work() as session:
        source = session.get(Source, source_id)
        source.url = second
        source.url_key = second.removeprefix("http://")
        save_revision(session, source, author=SEED, reason="moved")
    assert pages.requests == ["/v1", "/v2"]
    assert archive_of(app, second).state == ArchiveState.fetched


def test_a_rolled_back_write_fetches_nothing(app, pages):
    url = pages.add("/report", ARTICLE)
    with app.app_context(), pytest.raises(RuntimeError), get_db().unit_of_work() as session:
        save_revision(
            session,
            Source(url=url, url_key="127.0.0.1/report", title="x"),
            author=SEED,
            reason="test",
        )
        raise RuntimeError("the write fails")
    assert pages.requests == []
    assert archive_of(app, url) is None


def test_fetch_sources_queues_what_has_no_copy_and_all_refetches(app, pages):
    url = pages.add("/report", ARTICLE)
    publish_source(app, url)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["fetch-sources"])
    assert result.exit_code == 0, result.output
    assert "Fetched 0 address(es)." in result.output
    assert pages.requests == ["/report"]

    result = runner.invoke(args=["fetch-sources", "--all"])
    assert "Fetched 1 address(es)." in result.output
    assert pages.requests == ["/report", "/report"]
    assert [f.attempt for f in fetches_of(app, url)] == [1, 2]
