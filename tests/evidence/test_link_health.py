"""Link health end to end: archived sources re-checked against pages served on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlmodel import select

from tests import records
from tests.contributing.support import login_as, make_user
from tests.evidence.pages import ARTICLE, Pages, free_port
from tests.evidence.support import archive_of, fetches_of, publish_source
from tracker.db import get_db
from tracker.evidence import checking
from tracker.evidence.health import CheckPolicy
from tracker.i18n import format_long_date
from tracker.models import (
    ArchiveState,
    FetchPurpose,
    LinkHealth,
    Role,
    SourceArchive,
    SourceFetch,
    WaybackCapture,
)

CHANGED = ARTICLE.replace("polyethylene beads", "no beads at all")


@pytest.fixture
def app_config() -> dict:
    return {
        "JOBS_IMMEDIATE": True,
        "FETCH_ALLOW_HOSTS": ["127.0.0.1", "localhost"],
        "LINK_CHECK_HOST_DELAY": 0,
        "LINK_CHECK_RETRY_DELAY": 600,
    }


def text(response) -> str:
    return response.get_data(as_text=True)


def check(runner, *args: str) -> str:
    result = runner.invoke(args=["check-links", *args])
    assert result.exit_code == 0, result.output
    return result.output


def checks_of(app, url: str) -> list[SourceFetch]:
    return [row for row in fetches_of(app, url) if row.purpose == FetchPurpose.check]


def day(app, moment: dt.datetime) -> str:
    """The date as the pages write it (long format, English)."""
    with app.test_request_context():
        return format_long_date(moment)


def claim_citing(app, source_id: int, quote: str = "Our scrub is free of microplastics") -> int:
    with app.app_context(), get_db().unit_of_work() as session:
        from tracker.models import Source

        brand = records.brand(session, "Acme Cosmetics")
        claim = records.claim(session, brand, quote, sources=[session.get(Source, source_id)])
        session.flush()
        return claim.id


def test_an_unchanged_page_is_ok_and_keeps_no_new_copy(app, runner, client, pages):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    [archived] = fetches_of(app, url)

    output = check(runner, "--all")

    assert re.search(r"^ok\s+" + re.escape(url) + "$", output, re.M)
    assert "Checked 1 address(es): 1 ok." in output
    [first] = checks_of(app, url)
    assert (first.health, first.status, first.warc_path) == (LinkHealth.ok, 200, None)
    assert first.sha256 == archived.sha256
    row = archive_of(app, url)
    assert (row.health, row.capture_id, row.checks) == (LinkHealth.ok, archived.id, 1)
    assert row.next_check_at == first.fetched_at + dt.timedelta(days=1)

    page = text(client.get(f"/sources/{source_id}"))
    assert "Link health" in page
    assert "Link works" in page
    assert "Every check of this address" in page
    assert "source page changed" not in page.lower()


def test_a_page_that_changed_is_kept_again_and_both_copies_can_be_downloaded(
    app, runner, client, pages
):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    claim_id = claim_citing(app, source_id)
    pages.add("/report", CHANGED)

    output = check(runner, "--source", str(source_id))

    assert re.search(r"^changed\s+" + re.escape(url) + r"\s+\(new copy kept\)$", output, re.M)
    first, second = [row for row in fetches_of(app, url) if row.has_copy]
    assert first.purpose == FetchPurpose.archive
    assert (second.purpose, second.health) == (FetchPurpose.check, LinkHealth.changed)
    assert second.sha256 == hashlib.sha256(CHANGED.encode()).hexdigest() != first.sha256
    row = archive_of(app, url)
    assert row.capture_id == second.id
    assert row.changed_at == second.fetched_at

    assert client.get(f"/archive/{first.id}/file").data == ARTICLE.encode()
    assert client.get(f"/archive/{second.id}/file").data == CHANGED.encode()
    assert client.get(f"/archive/{first.id}.warc.gz").status_code == 200
    assert client.get(f"/archive/{second.id}.warc.gz").status_code == 200

    when = day(app, second.fetched_at)
    source_page = text(client.get(f"/sources/{source_id}"))
    assert "2 kept copies" in source_page
    assert f"/archive/{first.id}/file" in source_page
    assert f"/archive/{second.id}/file" in source_page
    assert f"Source page changed on {when}" in source_page

    claim_page = text(client.get(f"/claims/{claim_id}"))
    assert f"source page changed on {when}" in claim_page  # beside the source
    assert f"Source page changed on {when}:" in claim_page  # the claim's own notice
    timeline = text(client.get("/brands/acme-cosmetics"))
    assert f"source page changed on {when}" in timeline

    # A later check that finds the page as it now is: ok, and the change stays told.
    output = check(runner, "--source", str(source_id))
    assert re.search(r"^ok\s+", output, re.M)
    assert len([row for row in fetches_of(app, url) if row.has_copy]) == 2
    assert f"source page changed on {when}" in text(client.get(f"/claims/{claim_id}"))


def test_a_page_whose_markup_changed_but_not_its_text_is_ok_and_keeps_no_copy(
    app, runner, client, pages
):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    claim_id = claim_citing(app, source_id)
    remade = ARTICLE.replace(
        "</head>", '<script>var nonce = "f81c2a";</script><style>h1{color:red}</style></head>'
    ).replace("<p>", '<p class="lead"   data-served="2026-11-27T10:00">')
    pages.add("/report", remade)

    output = check(runner, "--source", str(source_id))

    assert re.search(r"^ok\s+" + re.escape(url), output, re.M)
    assert len([row for row in fetches_of(app, url) if row.has_copy]) == 1
    [only] = checks_of(app, url)
    assert (only.health, only.reason) == (
        LinkHealth.ok,
        "the markup changed, the visible text did not",
    )
    assert "source page changed" not in text(client.get(f"/claims/{claim_id}")).lower()

    pages.add("/report", remade.replace("polyethylene beads", "no beads at all"))
    output = check(runner, "--source", str(source_id))
    assert re.search(r"^changed\s+" + re.escape(url), output, re.M)
    assert len([row for row in fetches_of(app, url) if row.has_copy]) == 2


def test_a_404_is_broken_with_its_status_and_the_copy_stays(app, runner, client, pages):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    claim_id = claim_citing(app, source_id)
    [archived] = fetches_of(app, url)
    del pages.pages["/report"]  # the server now answers 404

    output = check(runner, "--source", str(source_id))

    assert re.search(r"^broken\s+" + re.escape(url) + r"\s+\(HTTP 404 Not Found\)$", output, re.M)
    [broken] = checks_of(app, url)
    assert (broken.health, broken.status, broken.reason) == (
        LinkHealth.broken,
        404,
        "HTTP 404 Not Found",
    )
    assert broken.warc_path is None  # the error page does not replace the kept copy
    row = archive_of(app, url)
    assert row.capture_id == archived.id
    assert row.state == ArchiveState.fetched
    assert (row.broken_checks, row.unavailable_since) == (1, broken.fetched_at)

    # One broken check is not yet told to readers (LINK_CHECK_CONFIRM = 2) ...
    assert "unavailable since" not in text(client.get(f"/claims/{claim_id}"))
    source_page = text(client.get(f"/sources/{source_id}"))
    assert "Link broken" in source_page
    assert "HTTP 404 Not Found" in source_page
    # ... a second one is.
    check(runner, "--source", str(source_id))
    when = day(app, broken.fetched_at)
    claim_page = text(client.get(f"/claims/{claim_id}"))
    assert f"source page unavailable since {when}" in claim_page
    assert f"Source page unavailable since {when}:" in claim_page
    assert client.get(f"/archive/{archived.id}/file").data == ARTICLE.encode()


def test_a_server_that_vanished_is_broken_with_the_reason(app, runner, client):
    server = Pages()
    url = server.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    server.close()  # nothing listens on that port any more

    output = check(runner, "--source", str(source_id))

    assert re.search(r"^broken\s+.*\(connection refused\)$", output, re.M)
    [broken] = checks_of(app, url)
    assert (broken.health, broken.reason, broken.status) == (
        LinkHealth.broken,
        "connection refused",
        None,
    )
    assert "connection refused" in text(client.get(f"/sources/{source_id}"))


def test_a_redirect_to_the_same_page_is_redirected(app, runner, client, pages):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    new = pages.add("/2024/report", ARTICLE)
    pages.add("/report", b"", status=301, headers={"Location": new})

    output = check(runner, "--source", str(source_id))

    assert re.search(r"^redirected\s+" + re.escape(url), output, re.M)
    [moved] = checks_of(app, url)
    assert (moved.health, moved.final_url, moved.warc_path) == (LinkHealth.redirected, new, None)
    assert moved.reason == f"{url} -> {new}"
    assert "Redirected" in text(client.get(f"/sources/{source_id}"))


def test_an_address_that_turned_unsafe_is_refused_with_the_reason(app, runner, client, pages):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    app.config["FETCH_ALLOW_HOSTS"] = []  # as if the name now led to a private address

    output = check(runner, "--source", str(source_id))

    [refused] = checks_of(app, url)
    assert refused.health == LinkHealth.refused
    assert "127.0.0.1" in refused.reason
    assert re.search(r"^refused\s+", output, re.M)
    row = archive_of(app, url)
    assert row.state == ArchiveState.fetched  # the archive keeps its copy and its state
    assert "Refused as unsafe" in text(client.get(f"/sources/{source_id}"))


def test_failed_checks_are_retried_later_with_backoff(app, runner):
    server = Pages()
    url = server.add("/report", ARTICLE)
    publish_source(app, url)
    server.close()

    check(runner, "--all")
    [first] = checks_of(app, url)
    row = archive_of(app, url)
    assert row.next_check_at == first.fetched_at + dt.timedelta(seconds=600)
    assert first.next_retry_at == row.next_check_at
    assert "No address is due for a check." in check(runner)  # not before the retry is due

    policy = CheckPolicy.from_config(app.config)
    with app.app_context(), get_db().session() as session:
        before = row.next_check_at - dt.timedelta(seconds=1)
        assert checking.due_addresses(session, policy, now=before, limit=10) == []
        due = checking.due_addresses(session, policy, now=row.next_check_at, limit=10)
        assert due == [url]
    with app.app_context():
        settings = checking.CheckSettings.from_app(app)
        [report] = checking.run_checks(get_db(), due, settings)
    assert report.health == LinkHealth.broken
    row = archive_of(app, url)
    second = checks_of(app, url)[-1]
    assert row.broken_checks == 2
    assert row.next_check_at == second.fetched_at + dt.timedelta(seconds=1200)  # doubled
    assert len(checks_of(app, url)) == 2  # every check is kept


def test_a_page_back_after_a_failure_is_ok_again(app, runner, client, pages):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    claim_id = claim_citing(app, source_id)
    del pages.pages["/report"]
    check(runner, "--source", str(source_id))
    check(runner, "--source", str(source_id))
    assert "unavailable since" in text(client.get(f"/claims/{claim_id}"))

    pages.add("/report", ARTICLE)
    output = check(runner, "--source", str(source_id))

    assert re.search(r"^ok\s+", output, re.M)
    row = archive_of(app, url)
    assert (row.health, row.broken_checks, row.unavailable_since) == (LinkHealth.ok, 0, None)
    assert row.next_check_at == checks_of(app, url)[-1].fetched_at + dt.timedelta(days=1)
    assert "unavailable since" not in text(client.get(f"/claims/{claim_id}"))


def test_a_source_never_archived_gets_its_first_copy_from_a_check(app, runner):
    port = free_port()
    url = f"http://127.0.0.1:{port}/report"
    source_id = publish_source(app, url)  # nothing listens yet: the archive fetch fails
    assert archive_of(app, url).state == ArchiveState.failed

    server = Pages(port=port)
    try:
        server.add("/report", ARTICLE)
        output = check(runner, "--source", str(source_id))
    finally:
        server.close()

    assert re.search(r"^ok\s+.*\(new copy kept\)$", output, re.M)
    row = archive_of(app, url)
    assert (row.state, row.reason, row.next_retry_at) == (ArchiveState.fetched, None, None)
    [check_row] = checks_of(app, url)
    assert row.capture_id == check_row.id


def test_the_command_checks_only_what_is_due_oldest_first(app, runner, pages):
    urls = [pages.add(f"/report/{n}", ARTICLE + str(n)) for n in range(3)]
    for url in urls:
        publish_source(app, url)
    assert "No address is due for a check." in check(runner)  # archived just now

    # Make them due as if archived long ago, the last one longest ago.
    with app.app_context(), get_db().unit_of_work() as session:
        rows = session.exec(select(SourceArchive).order_by(SourceArchive.id)).all()
        for age, row in zip((3, 2, 5), rows, strict=True):
            row.last_attempt_at = row.last_attempt_at - dt.timedelta(days=age)
            session.add(row)

    output = check(runner, "--limit", "2")

    lines = [line for line in output.splitlines() if line.startswith("ok")]
    assert [line.split()[1] for line in lines] == [urls[2], urls[0]]
    assert "Checking 2 address(es)" in output
    assert "Checked 2 address(es): 2 ok." in output


def test_the_command_refuses_an_unknown_source(app, runner):
    result = runner.invoke(args=["check-links", "--source", "999"])
    assert result.exit_code != 0
    assert "no source has the id 999" in result.output


def test_one_host_is_not_asked_twice_within_the_delay(app, runner, pages):
    app.config["LINK_CHECK_HOST_DELAY"] = 0.4
    a1 = pages.add("/a/1", ARTICLE + "a1")
    a2 = pages.add("/a/2", ARTICLE + "a2")
    b1 = pages.add("/b/1", ARTICLE + "b1").replace("127.0.0.1", "localhost")
    for url in (a1, a2, b1):
        publish_source(app, url)
    pages.requests.clear()

    output = check(runner, "--all")

    # Oldest first would be a1, a2, b1; while 127.0.0.1 rests after a1, localhost goes first.
    assert pages.requests == ["/a/1", "/b/1", "/a/2"]
    assert "at most one request per host every 0.4 s" in output
    times = [checks_of(app, url)[0].fetched_at for url in (a1, a2)]
    assert times[1] - times[0] >= dt.timedelta(seconds=0.4)


def test_the_scheduled_task_checks_what_is_due(app, pages):
    url = pages.add("/report", ARTICLE)
    publish_source(app, url)
    with app.app_context(), get_db().unit_of_work() as session:
        row = session.exec(select(SourceArchive)).one()
        row.next_check_at = row.last_attempt_at
        session.add(row)

    huey = app.extensions["tracker_jobs"].huey
    [task] = [
        task
        for task in huey.read_periodic(dt.datetime(2026, 3, 1, 12, 10))
        if task.name == "link_checks"
    ]
    huey.execute(task)

    [first] = checks_of(app, url)
    assert first.health == LinkHealth.ok

    app.config["LINK_CHECK_INTERVAL"] = 0  # scheduled checks switched off
    with app.app_context(), get_db().unit_of_work() as session:
        row = session.exec(select(SourceArchive)).one()
        row.next_check_at = row.checked_at
        session.add(row)
    huey.execute(task)
    assert len(checks_of(app, url)) == 1


def test_moderators_see_sources_that_changed_or_broke(app, runner, client, pages):
    ok_url = pages.add("/fine", ARTICLE)
    changed_url = pages.add("/changing", ARTICLE)
    broken_url = pages.add("/going", ARTICLE)
    ids = {url: publish_source(app, url) for url in (ok_url, changed_url, broken_url)}
    pages.add("/changing", CHANGED)
    del pages.pages["/going"]
    check(runner, "--all")

    with app.app_context(), get_db().session() as session:
        moderator = make_user(session, "mona", Role.moderator)
        contributor = make_user(session, "carl")
        for user in (moderator, contributor):
            session.refresh(user)
            session.expunge(user)
    assert client.get("/moderation/links").status_code == 302  # to the login page
    login_as(client, contributor)
    assert client.get("/moderation/links").status_code == 403
    login_as(client, moderator)

    page = text(client.get("/moderation/links"))
    assert changed_url in page
    assert broken_url in page
    assert ok_url not in page
    assert f"/sources/{ids[changed_url]}" in page
    assert "Page changed" in page and "Link broken" in page
    assert "1 broken check in a row" in page

    only_broken = text(client.get("/moderation/links?health=broken"))
    assert broken_url in only_broken
    assert changed_url not in only_broken
    lenient = text(client.get("/moderation/links?health=nonsense&page=abc"))  # all, page 1
    assert changed_url in lenient and broken_url in lenient
    assert "Link health" in text(client.get("/moderation/"))  # in the moderator's menu


def test_pages_render_in_dutch_with_health(app, runner, client, pages):
    url = pages.add("/report", ARTICLE)
    source_id = publish_source(app, url)
    claim_id = claim_citing(app, source_id)
    pages.add("/report", CHANGED)
    check(runner, "--all")

    headers = {"Accept-Language": "nl"}
    claim_page = text(client.get(f"/claims/{claim_id}", headers=headers))
    assert "bronpagina gewijzigd op" in claim_page
    source_page = text(client.get(f"/sources/{source_id}", headers=headers))
    assert "Linkcontrole" in source_page
    assert "Pagina gewijzigd" in source_page


def test_pages_stay_whole_whatever_the_health(app, runner, client, pages):
    other = Pages()  # a second site, refused as unsafe from the first check on
    urls = {
        "ok": pages.add("/ok", ARTICLE),
        "changed": pages.add("/changed", ARTICLE),
        "broken": pages.add("/broken", ARTICLE),
        "refused": other.add("/refused", ARTICLE),
    }
    ids = {name: publish_source(app, url) for name, url in urls.items()}
    with app.app_context(), get_db().unit_of_work() as session:
        from tracker.models import Source

        brand = records.brand(session, "Acme Cosmetics")
        claim = records.claim(
            session, brand, sources=[session.get(Source, source_id) for source_id in ids.values()]
        )
        records.contradiction(
            session,
            brand,
            [claim],
            sources=[session.get(Source, source_id) for source_id in ids.values()],
        )
        session.flush()
        claim_id = claim.id
    pages.add("/changed", CHANGED)
    del pages.pages["/broken"]
    app.config["FETCH_ALLOW_HOSTS"] = [f"127.0.0.1:{pages.port}"]
    try:
        check(runner, "--all")
        check(runner, "--all")
    finally:
        other.close()

    for source_id in ids.values():
        assert client.get(f"/sources/{source_id}").status_code == 200
    claim_page = text(client.get(f"/claims/{claim_id}"))
    assert claim_page.count("source page changed on") == 1
    assert claim_page.count("source page unavailable since") == 2  # broken and refused
    timeline = client.get("/brands/acme-cosmetics")
    assert timeline.status_code == 200
    assert text(timeline).count("source page changed on") == 2  # the claim and contradiction
    for address in ("/", "/brands/", f"/sources/{ids['broken']}/history"):
        assert client.get(address).status_code == 200


def test_the_seeded_pages_show_no_health_before_any_check(seeded_client):
    page = text(seeded_client.get("/sources/1"))
    assert "Link health" in page
    assert "Not re-checked yet" in page


def wayback_pages(pages, url: str, stamp: str = "20261127120000") -> str:
    """Let the loopback server play the Wayback Machine's "Save Page Now" for url."""
    capture = pages.add(f"/web/{stamp}/{url}", ARTICLE)
    pages.add(f"/save/{url}", b"", status=302, headers={"Location": capture})
    return capture


def test_wayback_captures_are_off_by_default(app, client, pages):
    url = pages.add("/report", ARTICLE)
    wayback_pages(pages, url)
    source_id = publish_source(app, url)
    assert not any(path.startswith("/save/") for path in pages.requests)
    assert "Wayback Machine" not in text(client.get(f"/sources/{source_id}"))


def test_each_new_copy_is_also_captured_by_the_wayback_machine_when_enabled(
    app, runner, client, pages
):
    app.config.update(WAYBACK_ENABLED=True, WAYBACK_SAVE_URL=pages.url("/save/"))
    url = pages.add("/report", ARTICLE)
    capture = wayback_pages(pages, url)
    source_id = publish_source(app, url)

    with app.app_context(), get_db().session() as session:
        [row] = session.exec(select(WaybackCapture)).all()
        assert (row.ok, row.capture_url, row.url) == (True, capture, url)
        assert row.fetch_id == fetches_of(app, url)[0].id
    page = text(client.get(f"/sources/{source_id}"))
    assert "Wayback Machine" in page
    assert f'href="{capture}"' in page

    # An unchanged page keeps no new copy and asks for no new capture; a changed one does.
    check(runner, "--all")
    pages.add("/report", CHANGED)
    pages.pages.pop(f"/save/{url}")  # the Wayback Machine now fails to answer: 404
    check(runner, "--all")
    with app.app_context(), get_db().session() as session:
        rows = session.exec(select(WaybackCapture).order_by(WaybackCapture.id)).all()
    assert len(rows) == 2
    assert (rows[1].ok, rows[1].capture_url) == (False, None)
    assert "404" in rows[1].reason
    assert rows[1].fetch_id == checks_of(app, url)[-1].id
    assert rows[1].reason in text(client.get(f"/sources/{source_id}"))
