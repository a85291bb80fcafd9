"""Fictional public records made the way the app makes them: through save_revision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tracker.models import (
    Brand,
    Citation,
    Claim,
    ClaimTopic,
    Contradiction,
    ContradictionKind,
    ContradictionState,
    DatePrecision,
    FinderKind,
    Outcome,
    OutcomeKind,
    Response,
    Source,
    SourceKind,
    Submission,
    SubmissionKind,
    Topic,
    User,
    Visibility,
)
from tracker.services.revisions import SEED, save_revision
from tracker.services.urls import url_key


def brand(session, name: str = "Acme Cosmetics", **fields) -> Brand:
    slug = fields.pop("slug", name.lower().replace(" ", "-"))
    record = Brand(slug=slug, name=name, **{"country": "NL", "sector": "cosmetics", **fields})
    save_revision(session, record, author=SEED, reason="test record")
    return record


def source(session, url: str = "https://example.test/report", **fields) -> Source:
    record = Source(
        url=url,
        url_key=url_key(url),
        **{
            "title": "A fictional report",
            "publisher": "Example Watch",
            "kind": SourceKind.ngo,
            "date": dt.date(2023, 5, 1),
            "date_precision": DatePrecision.month,
            **fields,
        },
    )
    save_revision(session, record, author=SEED, reason="test record")
    return record


def cite(record, src: Source, excerpt: str | None = None) -> None:
    record.citations.append(Citation(source=src, excerpt=excerpt))


def claim(
    session,
    owner: Brand,
    quote: str = "Our scrub is 100% natural",
    *,
    topics=(),
    sources=(),
    **fields,
) -> Claim:
    record = Claim(
        brand=owner,
        quote=quote,
        **{
            "date": dt.date(2022, 3, 1),
            "date_precision": DatePrecision.day,
            "language": "en",
            **fields,
        },
    )
    record.topic_links = [ClaimTopic(topic=Topic(topic)) for topic in topics]
    for src in sources:
        cite(record, src)
    save_revision(session, record, author=SEED, reason="test record")
    return record


def contradiction(session, owner: Brand, claims=(), *, sources=(), **fields) -> Contradiction:
    record = Contradiction(
        brand=owner,
        **{
            "title": "Lab finds microplastics in the scrub",
            "summary": "A fictional laboratory found polyethylene beads.",
            "finder_name": "Example Lab",
            "finder_kind": FinderKind.lab,
            "kind": ContradictionKind.lab_test,
            "state": ContradictionState.open,
            "date": dt.date(2023, 6, 2),
            "date_precision": DatePrecision.day,
            **fields,
        },
    )
    record.claims = list(claims)
    for src in sources:
        cite(record, src)
    save_revision(session, record, author=SEED, reason="test record")
    return record


def response(session, target: Contradiction, **fields) -> Response:
    record = Response(
        brand=target.brand,
        contradiction=target,
        **{"summary": "The brand says the beads were removed in 2024.", **fields},
    )
    save_revision(session, record, author=SEED, reason="test record")
    return record


def outcome(session, target: Contradiction, **fields) -> Outcome:
    record = Outcome(
        brand=target.brand,
        contradiction=target,
        **{
            "kind": OutcomeKind.fine,
            "summary": "A fictional regulator fined the brand.",
            "amount": Decimal("12500.00"),
            "currency": "EUR",
            "date": dt.date(2024, 1, 15),
            "date_precision": DatePrecision.day,
            **fields,
        },
    )
    save_revision(session, record, author=SEED, reason="test record")
    return record


def withdraw(session, record) -> None:
    record.visibility = Visibility.withdrawn
    save_revision(session, record, author=SEED, reason="withdrawn in a test")


def private_data(session, owner: Brand) -> None:
    """Add what must never be public: a user's email and a pending submission."""
    user = User(
        email="secret.person@example.test",
        display_name="Secret Person",
        public_handle="secret-handle",
        password_hash="x",
    )
    session.add(user)
    session.flush()
    session.add(
        Submission(
            kind=SubmissionKind.claim,
            payload={"quote": "PENDING-SUBMISSION-TEXT", "contact": "secret.person@example.test"},
            brand_id=owner.id,
            submitter_id=user.id,
            contact_email="secret.person@example.test",
            token_hash="token-hash-secret",
        )
    )


def dataset(session) -> dict:
    """A small public record: two brands, claims, contradictions, answers and a fine."""
    acme = brand(session, "Acme Cosmetics", country="NL", sector="cosmetics")
    globex = brand(session, "Globex Airways", country="DE", sector="aviation")
    hidden = brand(session, "Hidden Brand", country="NL", sector="cosmetics")
    report = source(session, "https://example.test/report")
    ruling = source(
        session,
        "https://example.test/ruling",
        title="Fictional court ruling",
        kind=SourceKind.court,
        date=dt.date(2024, 2, 1),
        date_precision=DatePrecision.day,
    )
    secret_source = source(session, "https://example.test/withdrawn", title="Withdrawn source")
    scrub = claim(session, acme, topics=["microplastics"], sources=[report])
    eco = claim(
        session,
        acme,
        "Ons Ökodesign is milieuvriendelijk",
        topics=["packaging"],
        language="nl",
        date=dt.date(2023, 1, 1),
        date_precision=DatePrecision.year,
    )
    neutral = claim(
        session, globex, "Climate neutral flights", topics=["climate"], sources=[ruling]
    )
    beads = contradiction(session, acme, [scrub], sources=[report, secret_source])
    court = contradiction(
        session,
        globex,
        [neutral],
        title="Court rules the neutral flights claim misleading",
        summary="A fictional court found the offsets did not make flights neutral.",
        finder_name="Example District Court",
        finder_kind=FinderKind.court,
        kind=ContradictionKind.court_ruling,
        state=ContradictionState.upheld,
        date=dt.date(2024, 2, 1),
        sources=[ruling],
    )
    reply = response(session, beads)
    fine = outcome(session, court)
    hidden_claim = claim(session, hidden, "Hidden brand claim text", topics=["climate"])
    withdrawn_claim = claim(session, acme, "WITHDRAWN-CLAIM-TEXT", topics=["climate"])
    session.flush()
    withdraw(session, withdrawn_claim)
    withdraw(session, secret_source)
    withdraw(session, hidden)
    private_data(session, acme)
    session.commit()
    return {
        "acme": acme,
        "globex": globex,
        "hidden": hidden,
        "report": report,
        "ruling": ruling,
        "secret_source": secret_source,
        "scrub": scrub,
        "eco": eco,
        "neutral": neutral,
        "beads": beads,
        "court": court,
        "reply": reply,
        "fine": fine,
        "hidden_claim": hidden_claim,
        "withdrawn_claim": withdrawn_claim,
    }
