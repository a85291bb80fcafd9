"""Fetching happens in the background: a page request only queues it; the worker runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
import requests
from sqlmodel import select

from tests.contributing.support import claim_form, login_as, make_brand, make_user, post
from tests.evidence.pages import ARTICLE, free_port
from tests.evidence.support import archive_of, fetches_of, publish_source
from tracker.db import get_db
from tracker.models import ArchiveState, Role, SourceArchive, Submission


@pytest.fixture
def app_config() -> dict:
    """Jobs are queued (SQLite, in the instance folder), not run inline."""
    return {"JOBS_IMMEDIATE": False, "FETCH_ALLOW_HOSTS": ["127.0.0.1"]}


def _brand(app) -> SimpleNamespace:
    with app.app_context(), get_db().unit_of_work() as session:
        return SimpleNamespace(id=make_brand(session).id)


def test_a_submission_only_queues_the_fetch_of_its_sources(app, client, pages):
    url = pages.add("/advert", ARTICLE)
    brand = _brand(app)
    response = post(client, "/submit/claim", claim_form(brand, **{"sources-0-url": url}))
    assert response.status_code == 302

    jobs = app.extensions["tracker_jobs"]
    assert pages.requests == []  # the page did not wait for the fetch
    assert archive_of(app, url).state == ArchiveState.pending
    assert jobs.pending_count() == 1

    # What the worker does with it: take it from the queue and run it.
    task = jobs.huey.dequeue()
    jobs.huey.execute(task)
    assert pages.requests == ["/advert"]
    assert archive_of(app, url).state == ArchiveState.fetched
    assert jobs.pending_count() == 0


def test_seeding_queues_a_fetch_per_seeded_source(app):
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    with app.app_context(), get_db().session() as session:
        rows = session.exec(select(SourceArchive)).all()
    assert rows
    assert {row.state for row in rows} == {ArchiveState.pending}
    assert app.extensions["tracker_jobs"].pending_count() == len(rows)


def test_the_worker_command_archives_what_was_queued(app, pages, tmp_path):
    url = pages.add("/report", ARTICLE)
    publish_source(app, url)
    assert archive_of(app, url).state == ArchiveState.pending

    environment = dict(
        os.environ,
        TRACKER_INSTANCE_PATH=app.instance_path,
        DATABASE_URL=app.config["DATABASE_URL"],
        TRACKER_SECRET_KEY="test-secret",
        TRACKER_FETCH_ALLOW_HOSTS='["127.0.0.1"]',
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "tracker", "worker", "--workers", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and archive_of(app, url).state == ArchiveState.pending:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode()
    assert archive_of(app, url).state == ArchiveState.fetched, output
    assert len(fetches_of(app, url)) == 1


def test_the_worker_refuses_to_start_in_immediate_mode(app):
    app.config["JOBS_IMMEDIATE"] = True
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "JOBS_IMMEDIATE is set" in result.output


def test_moderators_see_each_sources_state_in_the_queue_and_the_submission(app, client, pages):
    fetched = pages.add("/advert", ARTICLE)
    brand = _brand(app)
    form = claim_form(brand, **{"sources-0-url": fetched})
    assert post(client, "/submit/claim", form).status_code == 302
    jobs = app.extensions["tracker_jobs"]
    jobs.huey.execute(jobs.huey.dequeue())

    with app.app_context(), get_db().unit_of_work() as session:
        moderator = make_user(session, "mia", Role.moderator)
        session.flush()
        session.refresh(moderator)
        session.expunge(moderator)
        submission_id = session.exec(select(Submission.id)).one()
    login_as(client, moderator)

    queue = client.get("/moderation/").get_data(as_text=True)
    assert "Sources archived" in queue
    assert "Fetched: 1" in queue

    detail = client.get(f"/moderation/{submission_id}").get_data(as_text=True)
    [capture] = fetches_of(app, fetched)
    assert "Archived copy:" in detail
    assert capture.sha256 in detail
    # The copy of an address no published source has yet is for moderators only.
    assert client.get(f"/archive/{capture.id}/text").status_code == 200
    login_as(client, None)
    assert client.get(f"/archive/{capture.id}/text").status_code == 404


def test_the_first_start_seeds_and_only_queues_the_fetches(db_kit, tmp_path):
    from tests.conftest import make_app

    app = make_app(
        db_kit.fresh(migrated=False),
        tmp_path / "first-start",
        AUTO_MIGRATE=True,
        JOBS_IMMEDIATE=False,
    )
    try:
        with app.app_context(), get_db().session() as session:
            rows = session.exec(select(SourceArchive)).all()
        assert rows  # the seed's sources, noted
        assert {row.state for row in rows} == {ArchiveState.pending}
        assert all(row.queued_at is not None for row in rows)
        assert app.extensions["tracker_jobs"].pending_count() == len(rows)
    finally:
        app.extensions["tracker_db"].engine.dispose()


def test_flask_run_archives_in_its_own_process_from_the_first_request(app, pages):
    url = pages.add("/report", ARTICLE)
    publish_source(app, url)
    assert archive_of(app, url).state == ArchiveState.pending

    environment = dict(
        os.environ,
        TRACKER_INSTANCE_PATH=app.instance_path,
        DATABASE_URL=app.config["DATABASE_URL"],
        TRACKER_SECRET_KEY="test-secret",
        TRACKER_FETCH_ALLOW_HOSTS='["127.0.0.1"]',
        TRACKER_AUTO_MIGRATE="false",
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "tracker", "run", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert archive_of(app, url).state == ArchiveState.pending  # the server, not a worker
        while time.monotonic() < deadline and archive_of(app, url).state == ArchiveState.pending:
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl+C still stops the server
        output = server.communicate(timeout=20)[0].decode()
    assert archive_of(app, url).state == ArchiveState.fetched, output
    assert server.returncode is not None


def test_an_app_served_otherwise_runs_no_jobs_itself(app, client):
    assert client.get("/healthz").status_code == 200  # as under gunicorn: no `flask run`
    assert "tracker_embedded_worker" not in app.extensions
