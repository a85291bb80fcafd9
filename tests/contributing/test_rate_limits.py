"""Rate limits answer 429 with a readable page; counters live in Redis when REDIS_URL is set."""

from __future__ import annotations

import uuid

import pytest
import redis

from tests.contributing.support import csrf_token, text

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def app_config():
    return {"RATELIMIT_AUTH": "3 per minute", "RATELIMIT_AUTH_ACCOUNT": "5 per minute"}


def attempt(client, token, address="192.0.2.1", email="who@example.test"):
    # An empty password fails validation (422) without the cost of Argon2, and counts all
    # the same: every POST draws on the budget.
    return client.post(
        "/login",
        data={"email": email, "password": "", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_too_many_attempts_from_one_address_get_the_429_page(client):
    token = csrf_token(client)
    assert [attempt(client, token).status_code for _ in range(3)] == [422, 422, 422]
    response = attempt(client, token)
    assert response.status_code == 429
    assert "Too many requests" in text(response)
    assert "Please wait a minute" in text(response)
    assert response.headers["Retry-After"]
    # Another address still gets through, and reading the form is never limited.
    assert attempt(client, token, address="192.0.2.2").status_code == 422
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200


def test_one_account_cannot_be_tried_from_many_addresses(client):
    token = csrf_token(client)
    codes = [attempt(client, token, address=f"198.51.100.{n}").status_code for n in range(6)]
    assert codes == [422] * 5 + [429]
    assert (
        attempt(client, token, address="198.51.100.99", email="other@example.test").status_code
        == 422
    )


def _redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    return connection


def test_counters_are_kept_in_redis_when_redis_url_is_set(db_kit, tmp_path):
    from tests.conftest import make_app

    connection = _redis_or_skip()
    prefix = f"tracker-test-{uuid.uuid4().hex[:12]}"
    settings = {
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_AUTH": "2 per minute",
    }
    first = make_app(db_kit.fresh(), tmp_path / "one", **settings)
    second = make_app(db_kit.fresh(), tmp_path / "two", **settings)
    try:
        # Two app instances stand for two worker processes: they share one budget.
        one, two = first.test_client(), second.test_client()
        assert attempt(one, csrf_token(one)).status_code == 422
        assert attempt(two, csrf_token(two)).status_code == 422
        assert attempt(one, csrf_token(one)).status_code == 429
        assert connection.keys(f"*{prefix}*")
    finally:
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
        for app in (first, second):
            app.extensions["tracker_db"].engine.dispose()


def test_memory_counters_are_per_process(db_kit, tmp_path):
    from tests.conftest import make_app

    settings = {"RATELIMIT_AUTH": "1 per minute"}
    first = make_app(db_kit.fresh(), tmp_path / "one", **settings)
    second = make_app(db_kit.fresh(), tmp_path / "two", **settings)
    one, two = first.test_client(), second.test_client()
    assert attempt(one, csrf_token(one)).status_code == 422
    assert attempt(two, csrf_token(two)).status_code == 422
    assert attempt(one, csrf_token(one)).status_code == 429
    for app in (first, second):
        app.extensions["tracker_db"].engine.dispose()


def test_limits_can_be_switched_off(db_kit, tmp_path):
    from tests.conftest import make_app

    app = make_app(
        db_kit.fresh(), tmp_path / "off", RATELIMIT_ENABLED=False, RATELIMIT_AUTH="1 per minute"
    )
    client = app.test_client()
    token = csrf_token(client)
    assert {attempt(client, token).status_code for _ in range(3)} == {422}
    app.extensions["tracker_db"].engine.dispose()


@pytest.fixture
def contributing_app(db_kit, tmp_path):
    from tests.conftest import make_app

    app = make_app(
        db_kit.fresh(),
        tmp_path / "submit",
        RATELIMIT_SUBMIT="2 per minute",
        RATELIMIT_SUBMIT_ACCOUNT="3 per hour",
    )
    yield app
    app.extensions["tracker_db"].engine.dispose()


def test_contributions_are_limited_per_address_and_per_account(contributing_app):
    from sqlmodel import func, select

    from tests.contributing.conftest import open_db
    from tests.contributing.support import claim_form, login_as, make_brand, make_user
    from tracker.models import Submission

    db, engine = open_db(contributing_app)
    brand = make_brand(db)
    client = contributing_app.test_client()
    token = csrf_token(client)

    def send(address: str):
        return client.post(
            "/submit/claim",
            data={**claim_form(brand), "csrf_token": token},
            environ_base={"REMOTE_ADDR": address},
        )

    assert [send("192.0.2.7").status_code for _ in range(3)] == [302, 302, 429]
    assert "Too many requests" in text(send("192.0.2.7"))
    # Every form draws on the same budget: switching to another one does not help.
    response = client.post(
        "/submit/brand",
        data={"name": "Fictional", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 429

    login_as(client, make_user(db, "busy"))
    token = csrf_token(client)
    codes = [send(f"198.51.100.{n}").status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]  # new addresses, same account
    assert db.exec(select(func.count()).select_from(Submission)).one() == 5
    db.close()
    engine.dispose()
