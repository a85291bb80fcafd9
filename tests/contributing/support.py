"""Helpers for tests of accounts, contributions and moderation (CSRF stays on)."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

from tracker.models import Brand, Role, User
from tracker.services.accounts import hash_password
from tracker.services.revisions import SEED, save_revision

PASSWORD = "correct horse battery staple"
# Hashing with Argon2's defaults takes a fifth of a second; hash the shared password once.
PASSWORD_HASH = hash_password(PASSWORD)
CSRF_PATTERN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def make_user(
    session,
    handle: str,
    role: Role = Role.contributor,
    *,
    brand: Brand | None = None,
    verified: bool = False,
    active: bool = True,
) -> User:
    """Add an account whose password is PASSWORD and whose email is <handle>@example.test."""
    user = User(
        email=f"{handle}@example.test",
        display_name=f"{handle.title()} Person",
        public_handle=handle,
        password_hash=PASSWORD_HASH,
        role=role,
        brand_id=brand.id if brand else None,
        representative_verified=verified,
        is_active=active,
    )
    session.add(user)
    session.commit()
    return user


def make_brand(session, name: str = "Acme Cosmetics", slug: str | None = None, **fields) -> Brand:
    """Publish a fictional brand through the revision service."""
    brand = Brand(name=name, slug=slug or name.lower().replace(" ", "-"), **fields)
    save_revision(session, brand, author=SEED, reason="test brand")
    session.commit()
    return brand


def login_as(client, user: User | None) -> None:
    """Log a test client in as user (or out, for None) without typing a password."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


def csrf_token(client) -> str:
    """Return a CSRF token valid for this client's session."""
    for path in ("/about", "/login", "/register"):
        match = CSRF_PATTERN.search(client.get(path).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no page offered a CSRF token")


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser does: with the session's CSRF token."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kwargs)


def outbox(app) -> list:
    """Return the messages written to the app's outbox folder, oldest first."""
    folder = Path(app.instance_path) / "outbox"
    if not folder.exists():
        return []
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def text(response) -> str:
    return response.get_data(as_text=True)


def make_claim(session, brand: Brand, quote: str = "100% natural and kind to the ocean", **fields):
    """Publish a fictional claim by brand."""
    from tracker.models import Claim, ClaimTopic, Topic

    claim = Claim(brand_id=brand.id, quote=quote, language="en", **fields)
    claim.topic_links = [ClaimTopic(topic=Topic.microplastics)]
    save_revision(session, claim, author=SEED, reason="test claim")
    session.commit()
    return claim


def make_contradiction(
    session, brand: Brand, claims, title: str = "Lab finds microbeads", **fields
):
    """Publish a fictional contradiction of claims."""
    import datetime as dt

    from tracker.models import Contradiction, ContradictionKind, DatePrecision, FinderKind

    contradiction = Contradiction(
        brand_id=brand.id,
        title=title,
        summary="A fictional laboratory found plastic microbeads.",
        finder_name="Fictional Lab",
        finder_kind=FinderKind.lab,
        kind=ContradictionKind.lab_test,
        date=dt.date(2024, 3, 1),
        date_precision=DatePrecision.month,
        **fields,
    )
    contradiction.claims = list(claims)
    save_revision(session, contradiction, author=SEED, reason="test contradiction")
    session.commit()
    return contradiction


def claim_form(brand: Brand, **overrides) -> dict:
    """Return a valid claim form, as a browser would post it."""
    data = {
        "brand": str(brand.id),
        "quote": "100% natural, 0% plastic",
        "quote_is_exact": "y",
        "language": "en",
        "channel": "packaging",
        "where": "The 200 ml tube",
        "date-day": "",
        "date-month": "3",
        "date-year": "2024",
        "topics": ["microplastics"],
        "sources-0-url": "https://shop.example.test/scrub?utm_source=x",
        "sources-0-title": "Product page",
        "sources-0-excerpt": "100% natural, 0% plastic",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def stored(session, kind, payload: dict, *, submitter=None, contact_email=None, **target):
    """Store a submission through the service, as the forms do; return it and its token."""
    from tracker.services import submissions

    submission, token = submissions.submit(
        session=session,
        kind=kind,
        payload=payload,
        submitter=submitter,
        contact_email=contact_email,
        language="en",
        **target,
    )
    session.commit()
    submissions.flag_duplicates(session=session, submission=submission)
    session.commit()
    return submission, token


def claim_payload(brand: Brand, quote: str = "Ocean-friendly formula", url: str | None = None):
    return {
        "brand_id": brand.id,
        "quote": quote,
        "quote_is_exact": True,
        "language": "en",
        "channel": "advert",
        "date": "2024-05",
        "topics": ["microplastics", "packaging"],
        "sources": [
            {
                "url": url or "https://ads.example.test/ocean?utm_medium=social",
                "title": "The advert",
                "excerpt": quote,
            }
        ],
        "note": None,
    }


def contradiction_payload(brand: Brand, claims, title: str = "Lab finds plastic in the formula"):
    return {
        "brand_id": brand.id,
        "claim_ids": [claim.id for claim in claims],
        "title": title,
        "summary": "A fictional lab test found polyethylene.",
        "finder_name": "Fictional Lab",
        "finder_kind": "lab",
        "kind": "lab_test",
        "date": "2024-06-02",
        "sources": [{"url": "https://lab.example.test/report.pdf", "excerpt": "PE found"}],
    }


def decide(client, submission, action: str, **data):
    """POST a moderator's decision with the lock version the detail page showed."""
    data.setdefault("lock_version", str(submission.lock_version))
    return post(client, f"/moderation/{submission.id}/{action}", data)
