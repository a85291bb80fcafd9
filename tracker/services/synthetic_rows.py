"""The rows of the synthetic benchmark data, brand by brand (see tracker.services.synthetic).

Proportions: each brand has at least one claim, a few brands many (a capped Pareto spread);
about half the contradictions get a response, a third an outcome; every source is cited at
least once before any is cited twice. Dates spread over the last twenty years, most recent.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic_core import to_jsonable_python

from tracker.db import utcnow
from tracker.models import (
    REMEDY_KINDS,
    ArchiveState,
    AttemptOutcome,
    Brand,
    Citation,
    Claim,
    ClaimChannel,
    ClaimFacts,
    ClaimStatus,
    ClaimTopic,
    Contradiction,
    ContradictionClaimLink,
    ContradictionKind,
    ContradictionState,
    DatePrecision,
    FetchPurpose,
    FinderKind,
    Outcome,
    OutcomeKind,
    Response,
    ResponseVia,
    Revision,
    Source,
    SourceArchive,
    SourceFetch,
    SourceKind,
    Stance,
    Topic,
    Visibility,
)

BASE_URL = "https://synthetic.example"
CAVEAT = "Synthetic data made for benchmarks: this record and everything about it is invented."
REASON = "Synthetic data for benchmarks"
AUTHOR_LABEL = "synthetic"

# The brand whose timeline the benchmark renders: exactly 200 events.
BENCH_BRAND_SLUG = "synthetic-brand-00001"
BENCH_CLAIMS, BENCH_CONTRADICTIONS, BENCH_RESPONSES, BENCH_OUTCOMES = 80, 60, 35, 25
BENCH_EVENTS = BENCH_CLAIMS + BENCH_CONTRADICTIONS + BENCH_RESPONSES + BENCH_OUTCOMES

BRANDS_PER_BATCH = 250
SECTORS = (
    "Airlines",
    "Banking",
    "Cars",
    "Cosmetics",
    "Energy",
    "Fashion",
    "Food and drink",
    "Household products",
    "Retail",
    "Technology",
)
COUNTRIES = ("NL", "DE", "GB", "FR", "US", "BE", "IT", "ES", "SE", "DK", "CH", "IE", "PL")
COUNTRY_WEIGHTS = (20, 14, 12, 10, 10, 7, 6, 6, 4, 3, 3, 2, 3)
TOPIC_WEIGHTS = {
    Topic.climate: 30,
    Topic.packaging: 20,
    Topic.microplastics: 10,
    Topic.ingredients: 10,
    Topic.deforestation: 8,
    Topic.labour: 8,
    Topic.water: 5,
    Topic.animal_welfare: 5,
    Topic.other: 4,
}
CLAIM_WORDING = {
    Topic.climate: "climate neutral",
    Topic.packaging: "in fully recyclable packaging",
    Topic.microplastics: "free of microplastics",
    Topic.ingredients: "100% natural",
    Topic.deforestation: "deforestation-free",
    Topic.labour: "fairly made",
    Topic.water: "water positive",
    Topic.animal_welfare: "kind to animals",
    Topic.other: "good for the planet",
}
PRODUCTS = ("range", "flagship product", "new line", "packaging", "operations", "collection")
STATE_WEIGHTS = {
    ContradictionState.open: 40,
    ContradictionState.disputed: 20,
    ContradictionState.upheld: 20,
    ContradictionState.remedied: 12,
    ContradictionState.overturned: 8,
}
FINDER_OF_KIND = {
    ContradictionKind.lab_test: FinderKind.lab,
    ContradictionKind.investigation: FinderKind.journalist,
    ContradictionKind.regulator_decision: FinderKind.regulator,
    ContradictionKind.advertising_ruling: FinderKind.self_regulator,
    ContradictionKind.court_ruling: FinderKind.court,
    ContradictionKind.ngo_report: FinderKind.ngo,
    ContradictionKind.company_disclosure: FinderKind.company,
}
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Plan:
    """How many of each record to make."""

    brands: int
    claims: int
    contradictions: int
    sources: int

    @classmethod
    def at(cls, scale: float) -> Plan:
        """Return the plan for a scale: 1.0 is 10,000 brands and 100,000 claims."""
        if not (scale > 0 and math.isfinite(scale)):
            raise ValueError("scale must be a positive number")
        brands = max(2, round(10_000 * scale))
        # The benchmark brand's 200 events come first; every other brand has a claim.
        claims = max(round(100_000 * scale), BENCH_CLAIMS + brands - 1)
        contradictions = max(round(50_000 * scale), BENCH_CONTRADICTIONS)
        sources = max(round(200_000 * scale), brands)
        return cls(brands, claims, contradictions, sources)


INSERT_ORDER = (
    Brand,
    Source,
    SourceFetch,
    SourceArchive,
    Claim,
    ClaimTopic,
    Contradiction,
    ContradictionClaimLink,
    Response,
    Outcome,
    Citation,
    Revision,
)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split total into whole shares proportional to weights (largest remainder)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * weight / weight_sum for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


@dataclass
class _Batch:
    rows: dict[type, list[dict[str, Any]]] = field(
        default_factory=lambda: {model: [] for model in INSERT_ORDER}
    )


class Builder:
    """Make the rows, brand by brand, with ids given in order."""

    def __init__(self, plan: Plan, rng: random.Random):
        self.plan = plan
        self.rng = rng
        self.now = utcnow().replace(microsecond=0)
        self.today = self.now.date()
        self.next_id = {model: 1 for model in INSERT_ORDER}
        self.brands_done = 0
        self.topics = list(TOPIC_WEIGHTS)
        self.topic_weights = list(TOPIC_WEIGHTS.values())
        self.states = list(STATE_WEIGHTS)
        self.state_weights = list(STATE_WEIGHTS.values())
        self._plan_shares()

    def _plan_shares(self) -> None:
        # A few brands carry many records, most carry few (a Pareto spread, capped).
        others = self.plan.brands - 1
        weights = [min(self.rng.paretovariate(1.16), 60.0) for _ in range(others)]
        spare_claims = self.plan.claims - BENCH_CLAIMS - others
        self.claims = [BENCH_CLAIMS] + [1 + n for n in apportion(spare_claims, weights)]
        spare_contradictions = self.plan.contradictions - BENCH_CONTRADICTIONS
        self.contradictions = [
            BENCH_CONTRADICTIONS,
            *apportion(spare_contradictions, self.claims[1:]),
        ]
        slots = [1.3 * c + 2.4 * k for c, k in zip(self.claims, self.contradictions, strict=True)]
        self.sources = apportion(self.plan.sources, slots)

    def _id(self, model: type) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def batches(self) -> Iterator[_Batch]:
        for start in range(0, self.plan.brands, BRANDS_PER_BATCH):
            batch = _Batch()
            for index in range(start, min(start + BRANDS_PER_BATCH, self.plan.brands)):
                self._brand(batch, index)
                self.brands_done += 1
            yield batch

    # --- one brand -------------------------------------------------------------------

    def _brand(self, batch: _Batch, index: int) -> None:
        rng = self.rng
        brand_id = self._id(Brand)
        number = f"{brand_id:05d}"
        name = f"Synthetic Brand {number}"
        row = self._public_row(
            Brand,
            id=brand_id,
            slug=f"synthetic-brand-{number}",
            name=name,
            legal_name=f"{name} B.V.",
            aliases=[f"SB{number}"] if rng.random() < 0.2 else [],
            parent_company=f"Synthetic Holding {brand_id % 97:02d}" if rng.random() < 0.4 else None,
            country=rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0],
            sector=rng.choice(SECTORS),
            website=f"{BASE_URL}/brands/{number}",
            description=f"{name} is an invented company, made up to measure the tracker's speed.",
            merged_into_id=None,
        )
        self._add(batch, Brand, row)

        sources = self._sources(batch, self.sources[index], brand_id)
        if index == 0:
            self._archives(batch, sources)
        pick = _SourcePicker(sources, rng)
        claims = [self._claim(batch, brand_id, name, pick) for _ in range(self.claims[index])]
        bench = index == 0
        for position in range(self.contradictions[index]):
            self._contradiction(batch, brand_id, name, claims, pick, bench, position)

    def _sources(self, batch: _Batch, count: int, brand_id: int) -> list[int]:
        ids = []
        for _ in range(count):
            source_id = self._id(Source)
            url = f"{BASE_URL}/sources/{source_id:07d}"
            day, precision = self._date(self._year())
            kind = self.rng.choice(list(SourceKind))
            row = self._public_row(
                Source,
                id=source_id,
                url=url,
                url_key=url.removeprefix("https://"),
                title=f"Synthetic report {source_id:07d} on brand {brand_id:05d}",
                description=None,
                publisher=f"Synthetic Publisher {source_id % 211:03d}",
                kind=kind,
                language=self.rng.choice(("en", "en", "nl", "de", "fr")),
                merged_into_id=None,
                **self._dated(day, precision),
            )
            self._add(batch, Source, row)
            ids.append(source_id)
        return ids

    def _archives(self, batch: _Batch, source_ids: list[int]) -> None:
        """Give the benchmark brand's sources what archiving and link checks leave behind, so
        its timeline shows the notes a real one does: most archived, some changed since, a few
        pending, failed or gone. (The copies' WARC files do not exist.)"""
        rng = self.rng
        for source_id in source_ids:
            url = f"{BASE_URL}/sources/{source_id:07d}"
            roll = rng.random()
            state = (
                ArchiveState.pending
                if roll < 0.04
                else ArchiveState.failed
                if roll < 0.07
                else ArchiveState.fetched
            )
            fetched_at = self.now - dt.timedelta(days=rng.randint(1, 400))
            capture_id = None
            if state is ArchiveState.fetched:
                capture_id = self._id(SourceFetch)
                batch.rows[SourceFetch].append(
                    {
                        "id": capture_id,
                        "url": url,
                        "url_key": url.removeprefix("https://"),
                        "source_id": source_id,
                        "purpose": FetchPurpose.archive,
                        "attempt": 1,
                        "outcome": AttemptOutcome.ok,
                        "final_url": url,
                        "status": 200,
                        "content_type": "text/html; charset=utf-8",
                        "fetched_at": fetched_at,
                        "size": rng.randint(2_000, 400_000),
                        "sha256": f"{source_id:064x}",
                        "title": f"Synthetic report {source_id:07d}",
                        "truncated": False,
                        "hops": [],
                        "warc_path": f"synthetic/{source_id:07d}.warc.gz",
                        "warc_offset": 0,
                        "warc_length": 1000,
                    }
                )
            changed = state is ArchiveState.fetched and rng.random() < 0.08
            gone = state is ArchiveState.fetched and not changed and rng.random() < 0.03
            batch.rows[SourceArchive].append(
                {
                    "id": self._id(SourceArchive),
                    "url_key": url.removeprefix("https://"),
                    "url": url,
                    "state": state,
                    "reason": "connection timed out" if state is ArchiveState.failed else None,
                    "attempts": 1,
                    "failures": 1 if state is ArchiveState.failed else 0,
                    "capture_id": capture_id,
                    "last_fetch_id": capture_id,
                    "last_attempt_at": fetched_at,
                    "created_at": fetched_at,
                    "updated_at": fetched_at,
                    "checks": 3 if gone else 1,
                    "broken_checks": 2 if gone else 0,
                    "unavailable_since": fetched_at + dt.timedelta(days=1) if gone else None,
                    "changed_at": fetched_at + dt.timedelta(days=1) if changed else None,
                }
            )

    def _claim(self, batch: _Batch, brand_id: int, name: str, pick: _SourcePicker) -> dict:
        rng = self.rng
        claim_id = self._id(Claim)
        topics = sorted(set(rng.choices(self.topics, self.topic_weights, k=rng.choice((1, 1, 2)))))
        day, precision = self._date(self._year())
        dutch = rng.random() < 0.25
        wording = f"Our {rng.choice(PRODUCTS)} is {CLAIM_WORDING[topics[0]]}"
        row = self._public_row(
            Claim,
            id=claim_id,
            brand_id=brand_id,
            quote=f"{wording} (synthetic claim {claim_id})",
            quote_is_exact=True,
            language="nl" if dutch else "en",
            translation=f"{wording} (translation of synthetic claim {claim_id})" if dutch else None,
            summary=None,
            speaker=name,
            channel=rng.choice(list(ClaimChannel)),
            where=f"Invented {rng.choice(('advert', 'label', 'web page', 'annual report'))}",
            status=rng.choices(list(ClaimStatus), (75, 15, 10))[0],
            merged_into_id=None,
            **self._dated(day, precision),
            # The facts the legal flags read: none recorded.
            **ClaimFacts().model_dump(),
        )
        for topic in topics:
            batch.rows[ClaimTopic].append({"claim_id": claim_id, "topic": topic})
        citations = self._citations(batch, "claim_id", claim_id, pick, rng.choice((1, 1, 2)))
        self._add(batch, Claim, row, topics=[t.value for t in topics], citations=citations)
        return row

    def _contradiction(
        self,
        batch: _Batch,
        brand_id: int,
        name: str,
        claims: list[dict],
        pick: _SourcePicker,
        bench: bool,
        position: int,
    ) -> None:
        rng = self.rng
        contradiction_id = self._id(Contradiction)
        targets = rng.sample(claims, k=min(len(claims), rng.choice((1, 1, 1, 1, 2))))
        latest = max(claim["date"] or dt.date(2005, 1, 1) for claim in targets)
        day, precision = self._date_after(latest, 30, 900)
        kind = rng.choice(list(ContradictionKind))
        state = rng.choices(self.states, self.state_weights)[0]
        finder = FINDER_OF_KIND[kind]
        row = self._public_row(
            Contradiction,
            id=contradiction_id,
            brand_id=brand_id,
            title=f"Synthetic finding {contradiction_id:06d}: the claim does not hold",
            summary=(
                f"An invented {kind.value.replace('_', ' ')} found that {name}'s claim is not"
                " supported by the evidence. This text is synthetic and describes nothing real."
            ),
            finder_name=f"Synthetic {finder.value.replace('_', ' ')} {contradiction_id % 53:02d}",
            finder_kind=finder,
            kind=kind,
            state=state,
            quote=None,
            quote_speaker=None,
            quote_language=None,
            published_at=self.now,
            merged_into_id=None,
            **self._dated(day, precision),
        )
        for claim in targets:
            batch.rows[ContradictionClaimLink].append(
                {"contradiction_id": contradiction_id, "claim_id": claim["id"]}
            )
        citations = self._citations(
            batch, "contradiction_id", contradiction_id, pick, rng.choice((1, 1, 2, 3))
        )
        self._add(
            batch,
            Contradiction,
            row,
            claim_ids=sorted(claim["id"] for claim in targets),
            citations=citations,
        )
        if bench:
            responds = position < BENCH_RESPONSES
            outcome = position < BENCH_OUTCOMES
        else:
            responds = state is ContradictionState.disputed or rng.random() < 0.35
            outcome = rng.random() < (0.7 if state.value in ("upheld", "remedied") else 0.1)
        if responds:
            self._response(batch, brand_id, name, row, pick)
        if outcome:
            self._outcome(batch, brand_id, row, pick)

    def _response(
        self, batch: _Batch, brand_id: int, name: str, contradiction: dict, pick: _SourcePicker
    ) -> None:
        response_id = self._id(Response)
        day, precision = self._date_after(contradiction["date"], 3, 120)
        via = (
            ResponseVia.representative if self.rng.random() < 0.2 else ResponseVia.public_statement
        )
        row = self._public_row(
            Response,
            id=response_id,
            brand_id=brand_id,
            contradiction_id=contradiction["id"],
            summary=f"{name} disputes the invented finding (synthetic response {response_id}).",
            quote=None,
            quote_language=None,
            via=via,
            author_id=None,
            merged_into_id=None,
            **self._dated(day, precision),
        )
        count = 1 if via is ResponseVia.public_statement else 0
        citations = self._citations(batch, "response_id", response_id, pick, count)
        self._add(batch, Response, row, citations=citations)

    def _outcome(self, batch: _Batch, brand_id: int, contradiction: dict, pick) -> None:
        rng = self.rng
        outcome_id = self._id(Outcome)
        day, precision = self._date_after(contradiction["date"], 60, 1000)
        if contradiction["state"] is ContradictionState.remedied:
            kind = rng.choice(sorted(REMEDY_KINDS))
        else:
            kind = rng.choice((OutcomeKind.fine, OutcomeKind.ruling, OutcomeKind.order))
        fined = kind is OutcomeKind.fine
        row = self._public_row(
            Outcome,
            id=outcome_id,
            brand_id=brand_id,
            contradiction_id=contradiction["id"],
            kind=kind,
            summary=f"An invented {kind.value.replace('_', ' ')} (synthetic outcome {outcome_id}).",
            authority=f"Synthetic Authority {outcome_id % 31:02d}",
            amount=Decimal(rng.randint(10, 5_000) * 1_000).quantize(CENTS) if fined else None,
            currency="EUR" if fined else None,
            merged_into_id=None,
            **self._dated(day, precision),
        )
        citations = self._citations(batch, "outcome_id", outcome_id, pick, 1)
        self._add(batch, Outcome, row, citations=citations)

    def _citations(
        self, batch: _Batch, column: str, subject_id: int, pick: _SourcePicker, count: int
    ) -> list[dict[str, Any]]:
        """Add citations of a subject; return them as its snapshot lists them."""
        listed = []
        for position, source_id in enumerate(pick.take(count)):
            excerpt = (
                f"Invented excerpt {subject_id} from source {source_id}."
                if self.rng.random() < 0.6
                else None
            )
            stance = Stance.refutes if self.rng.random() < 0.05 else Stance.supports
            row = {
                "id": self._id(Citation),
                "created_at": self.now,
                "updated_at": self.now,
                "source_id": source_id,
                "claim_id": None,
                "contradiction_id": None,
                "response_id": None,
                "outcome_id": None,
                "excerpt": excerpt,
                "note": None,
                "stance": stance,
                "position": position,
            }
            row[column] = subject_id
            batch.rows[Citation].append(row)
            listed.append(
                {"source_id": source_id, "excerpt": excerpt, "note": None, "stance": stance.value}
            )
        return listed

    # --- shared pieces -----------------------------------------------------------------

    def _public_row(self, model: type, **values: Any) -> dict[str, Any]:
        return {
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
            "visibility": Visibility.published,
            "caveats": [CAVEAT],
            **values,
        }

    @staticmethod
    def _dated(day: dt.date | None, precision: DatePrecision) -> dict[str, Any]:
        return {
            "date": day,
            "date_precision": precision,
            "date_end": None,
            "date_end_precision": None,
        }

    def _year(self) -> int:
        # Most claims are recent; a long tail reaches back to 2005.
        return max(2005, self.today.year - int(self.rng.expovariate(1 / 4)))

    def _date(self, year: int) -> tuple[dt.date | None, DatePrecision]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.02:
            return None, DatePrecision.unknown
        day = min(dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365)), self.today)
        if roll < 0.72:
            return day, DatePrecision.day
        if roll < 0.92:
            return day.replace(day=1), DatePrecision.month
        return day.replace(month=1, day=1), DatePrecision.year

    def _date_after(self, start: dt.date | None, low: int, high: int):
        start = start or dt.date(2010, 1, 1)
        day = min(start + dt.timedelta(days=self.rng.randint(low, high)), self.today)
        if self.rng.random() < 0.85:
            return day, DatePrecision.day
        return day.replace(day=1), DatePrecision.month

    def _add(self, batch: _Batch, model: type, row: dict[str, Any], **extra: Any) -> None:
        """Add a record's row and its revision 1, whose snapshot matches save_revision's."""
        batch.rows[model].append(row)
        state = to_jsonable_python(row) | extra
        batch.rows[Revision].append(
            {
                "id": self._id(Revision),
                "entity_type": model.entity_type,
                "entity_id": row["id"],
                "version": 1,
                "snapshot": state,
                "reason": REASON,
                "author_id": None,
                "author_label": AUTHOR_LABEL,
                "submission_id": None,
                "created_at": self.now,
            }
        )


class _SourcePicker:
    """Hand out a brand's sources: each once first, then at random (sources get reused)."""

    def __init__(self, sources: list[int], rng: random.Random):
        self.sources = sources
        self.rng = rng
        self.unused = list(reversed(sources))

    def take(self, count: int) -> list[int]:
        chosen: list[int] = []
        while len(chosen) < count and self.sources:
            source_id = self.unused.pop() if self.unused else self.rng.choice(self.sources)
            if source_id in chosen:
                if len(chosen) >= len(self.sources):
                    break
                continue
            chosen.append(source_id)
        return chosen
