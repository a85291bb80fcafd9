"""The synthetic benchmark data: the promised sizes, clearly fake, never mixed with real data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.conftest import make_app
from tracker.config import resource_path
from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    Citation,
    Claim,
    Contradiction,
    Revision,
    SeedRecord,
    Source,
)
from tracker.services import synthetic
from tracker.services.revisions import SEED, content, save_revision, snapshot

TINY = 0.002  # 20 brands, 200 claims, 100 contradictions, 400 sources


def generate(app, scale: float = TINY) -> synthetic.Report:
    with app.app_context(), app.extensions["tracker_db"].unit_of_work() as session:
        return synthetic.generate(session=session, scale=scale)


def count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


@pytest.fixture
def kit_app(any_kit, tmp_path):
    app = make_app(any_kit.fresh(), tmp_path / "instance")
    yield app
    app.extensions["tracker_db"].engine.dispose()


def test_the_plan_at_scale_one_is_the_promised_size():
    plan = synthetic.Plan.at(1.0)
    assert (plan.brands, plan.claims, plan.contradictions, plan.sources) == (
        10_000,
        100_000,
        50_000,
        200_000,
    )


def test_generates_the_planned_records_with_a_200_event_brand(kit_app):
    report = generate(kit_app)

    plan = synthetic.Plan.at(TINY)
    with kit_app.app_context(), kit_app.extensions["tracker_db"].session() as session:
        assert count(session, Brand) == plan.brands == report.counts["brand"]
        assert count(session, Claim) == plan.claims
        assert count(session, Contradiction) == plan.contradictions
        assert count(session, Source) == plan.sources
        assert count(session, Citation) >= plan.sources
    page = kit_app.test_client().get(f"/brands/{synthetic.BENCH_BRAND_SLUG}")
    assert page.status_code == 200
    assert page.text.count('<li class="event ') == synthetic.BENCH_EVENTS == 200


def test_every_record_is_clearly_fake_and_has_revision_one(kit_app):
    generate(kit_app)

    with kit_app.app_context(), kit_app.extensions["tracker_db"].session() as session:
        brands = session.exec(select(Brand)).all()
        assert all(brand.name.startswith("Synthetic Brand ") for brand in brands)
        assert all(synthetic.CAVEAT in brand.caveats for brand in brands)
        assert all(
            source.url.startswith("https://synthetic.example/")
            for source in session.exec(select(Source))
        )
        revisions = {
            (revision.entity_type, revision.entity_id): revision
            for revision in session.exec(select(Revision))
        }
        for model in PUBLIC_MODELS.values():
            for record in session.exec(select(model)):
                revision = revisions[(record.entity_type, record.id)]
                assert revision.version == record.version == 1
                # The very snapshot save_revision would have written for this record.
                assert content(revision.snapshot) == content(snapshot(record))


def test_records_written_afterwards_get_fresh_ids(kit_app):
    generate(kit_app)

    with kit_app.app_context(), kit_app.extensions["tracker_db"].unit_of_work() as session:
        brand = Brand(slug="acme-cosmetics", name="Acme Cosmetics")
        save_revision(session, brand, author=SEED, reason="a record after the synthetic ones")
        assert brand.id == synthetic.Plan.at(TINY).brands + 1


def test_refuses_a_database_with_real_brands(app, db_session):
    save_revision(db_session, Brand(slug="acme", name="Acme Cosmetics"), author=SEED, reason="r")
    db_session.commit()

    with pytest.raises(synthetic.SyntheticRefused):
        generate(app)
    assert count(db_session, Brand) == 1


def test_refuses_a_database_holding_seed_data(app, db_session):
    db_session.add(SeedRecord(seed_key="src-x", table="source", entity_id=1, digest="d"))
    db_session.commit()

    with pytest.raises(synthetic.SyntheticRefused, match="seed data"):
        generate(app)


def test_the_command_reports_its_work_and_refuses_a_second_run(app):
    seeds_before = sorted(resource_path("seeds").rglob("*"))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["synthetic", "--scale", str(TINY)])
    assert first.exit_code == 0, first.output
    assert "20 brand" in first.output
    assert " s." in first.output  # the time it took
    assert "Search index built" in first.output
    found = app.test_client().get("/search?q=synthetic+brand+00001").get_data(as_text=True)
    assert "/brands/synthetic-brand-00001" in found
    second = runner.invoke(args=["synthetic", "--scale", str(TINY)])
    assert second.exit_code == 1
    assert "Refused" in second.output
    assert sorted(resource_path("seeds").rglob("*")) == seeds_before


@pytest.mark.parametrize("scale", ["0", "-1", "nan"])
def test_the_command_rejects_a_bad_scale(runner, scale):
    result = runner.invoke(args=["synthetic", "--scale", scale])
    assert result.exit_code == 2
    assert "--scale" in result.output
