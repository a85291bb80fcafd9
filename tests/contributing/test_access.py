"""Every role against every protected route and action, from one table.

Roles: a visitor without an account, a contributor, the verified representative of brand
A, an unverified would-be representative of A, the verified representative of brand B, a
moderator and an admin. "login" means a visitor is sent to the login page; every POST
carries a valid CSRF token, so a refusal is the access check's and not the token's.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.contributing.support import (
    claim_payload,
    login_as,
    make_brand,
    make_claim,
    make_contradiction,
    make_user,
    post,
    stored,
)
from tracker.models import Response, Role, Submission, SubmissionKind

ROLES = ["anonymous", "contributor", "rep_a", "rep_a_unverified", "rep_b", "moderator", "admin"]
OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404
# A form that fails validation answers 422: the user got past the access check.
INVALID = 422


def row(*codes):
    assert len(codes) == len(ROLES)
    return dict(zip(ROLES, codes, strict=True))


# (method, route, expected per role). {…} are filled from the fixture's records.
TABLE = [
    ("GET", "/moderation/", row(LOGIN, 403, 403, 403, 403, OK, OK)),
    ("GET", "/moderation/{pending}", row(LOGIN, 403, 403, 403, 403, OK, OK)),
    ("GET", "/moderation/{pending}/edit", row(LOGIN, 403, 403, 403, 403, OK, OK)),
    ("POST", "/moderation/{pending}/approve", row(LOGIN, 403, 403, 403, 403, INVALID, INVALID)),
    ("POST", "/moderation/{pending}/reject", row(LOGIN, 403, 403, 403, 403, INVALID, INVALID)),
    (
        "POST",
        "/moderation/{pending}/request-changes",
        row(LOGIN, 403, 403, 403, 403, INVALID, INVALID),
    ),
    ("POST", "/moderation/{pending}/merge", row(LOGIN, 403, 403, 403, 403, INVALID, INVALID)),
    ("POST", "/moderation/bulk", row(LOGIN, 403, 403, 403, 403, 302, 302)),
    ("GET", "/moderation/log", row(OK, OK, OK, OK, OK, OK, OK)),
    ("GET", "/moderation/links", row(LOGIN, 403, 403, 403, 403, OK, OK)),
    ("GET", "/admin/users", row(LOGIN, 403, 403, 403, 403, 403, OK)),
    ("GET", "/admin/users/{contributor}", row(LOGIN, 403, 403, 403, 403, 403, OK)),
    ("POST", "/admin/users/{contributor}", row(LOGIN, 403, 403, 403, 403, 403, INVALID)),
    ("GET", "/account", row(LOGIN, OK, OK, OK, OK, OK, OK)),
    ("POST", "/account/profile", row(LOGIN, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID)),
    (
        "GET",
        "/account/submissions/{contributors_submission}",
        row(LOGIN, OK, 404, 404, 404, 404, 404),
    ),
    ("GET", "/submit/remedy/brand-a", row(LOGIN, 403, OK, 403, 403, 403, 403)),
    ("POST", "/submit/remedy/brand-a", row(LOGIN, 403, INVALID, 403, 403, 403, 403)),
    ("GET", "/submit/remedy/brand-b", row(LOGIN, 403, 403, 403, OK, 403, 403)),
    ("GET", "/submit/claim", row(OK, OK, OK, OK, OK, OK, OK)),
    ("GET", "/submit/response/{contradiction_a}", row(OK, OK, OK, OK, OK, OK, OK)),
    ("GET", "/submissions/{token}", row(OK, OK, OK, OK, OK, OK, OK)),
]


@pytest.fixture
def world(db):
    brand_a = make_brand(db, "Brand A Fictional", slug="brand-a")
    brand_b = make_brand(db, "Brand B Fictional", slug="brand-b")
    claim = make_claim(db, brand_a)
    contradiction = make_contradiction(db, brand_a, [claim])
    users = {
        "anonymous": None,
        "contributor": make_user(db, "contributor"),
        "rep_a": make_user(db, "rep-a", Role.representative, brand=brand_a, verified=True),
        "rep_a_unverified": make_user(db, "rep-a2", Role.representative, brand=brand_a),
        "rep_b": make_user(db, "rep-b", Role.representative, brand=brand_b, verified=True),
        "moderator": make_user(db, "moderator", Role.moderator),
        "admin": make_user(db, "admin", Role.admin),
    }
    pending, _ = stored(db, SubmissionKind.claim, claim_payload(brand_a, "Pending one"))
    mine, token = stored(
        db,
        SubmissionKind.claim,
        claim_payload(brand_a, "Contributor's"),
        submitter=users["contributor"],
    )
    values = {
        "pending": pending.id,
        "contributor": users["contributor"].id,
        "contributors_submission": mine.id,
        "contradiction_a": contradiction.id,
        "token": token,
    }
    return users, values, contradiction


def test_every_role_against_every_protected_route(client, db, world):
    users, values, _ = world
    wrong = []
    for role in ROLES:
        login_as(client, users[role])
        for method, route, expected in TABLE:
            url = route.format(**values)
            if method == "GET":
                response = client.get(url)
            else:
                # An empty form: access is checked before anything in it is.
                response = post(client, url, {"lock_version": ""})
            got = response.status_code
            want = expected[role]
            if want == LOGIN:
                ok = got == 302 and "/login" in response.headers.get("Location", "")
            else:
                ok = got == want
            if not ok:
                wrong.append(f"{role:17} {method:4} {url}: got {got}, want {want}")
    assert not wrong, "\n" + "\n".join(wrong)
    # Nothing was decided by anyone along the way.
    assert {s.state for s in db.exec(select(Submission))} == {"pending"}


@pytest.mark.parametrize(
    ("role", "via"),
    [
        ("rep_a", "representative"),
        ("rep_a_unverified", "public_statement"),
        ("rep_b", "public_statement"),
        ("contributor", "public_statement"),
        ("anonymous", "public_statement"),
    ],
)
def test_only_the_verified_representative_answers_for_the_brand(client, db, world, role, via):
    users, _, contradiction = world
    login_as(client, users[role])
    form = {
        "summary": "An answer",
        "date-year": "2024",
        "sources-0-url": "https://answer.example.test/",
    }
    assert post(client, f"/submit/response/{contradiction.id}", form).status_code == 302
    latest = db.exec(select(Submission).order_by(Submission.id.desc())).first()
    assert latest.payload["via"] == via
    assert db.exec(select(Response)).all() == []  # nothing published without a moderator
