"""Every change to a public record is a new, append-only revision with a full snapshot."""

import pytest
import sqlalchemy as sa

from tracker.models import Brand, Revision
from tracker.services.revisions import SEED, Author, RevisionConflict, diff, history, save_revision


def add_brand(session, **fields) -> Brand:
    brand = Brand(slug="acme", name="Acme", **fields)
    save_revision(session, brand, author=SEED, reason="first publication")
    session.commit()
    return brand


def test_first_save_is_version_one_with_a_full_snapshot(db_session):
    brand = add_brand(db_session, country="NL")

    [revision] = history(db_session, brand.entity_type, brand.id)
    assert (revision.version, revision.reason, revision.author_label) == (
        1,
        "first publication",
        "seed",
    )
    assert revision.snapshot["name"] == "Acme"
    assert revision.snapshot["country"] == "NL"
    assert brand.version == 1


def test_a_change_appends_version_two_and_keeps_version_one(db_session):
    brand = add_brand(db_session)
    brand.name = "Acme Corp"
    save_revision(db_session, brand, author=Author("mod-ana", None), reason="legal name fixed")
    db_session.commit()

    versions = history(db_session, brand.entity_type, brand.id)
    assert [r.version for r in versions] == [1, 2]
    assert versions[0].snapshot["name"] == "Acme"
    assert versions[1].snapshot["name"] == "Acme Corp"
    assert [(c.field, c.old, c.new) for c in diff(versions[0].snapshot, versions[1].snapshot)] == [
        ("name", "Acme", "Acme Corp")
    ]


def test_saving_an_unchanged_record_writes_nothing(db_session):
    brand = add_brand(db_session)
    assert save_revision(db_session, brand, author=SEED, reason="again") is None
    db_session.commit()
    assert len(history(db_session, brand.entity_type, brand.id)) == 1


def test_a_stale_edit_is_refused(db_session):
    brand = add_brand(db_session)
    brand.name = "Other"
    with pytest.raises(RevisionConflict):
        save_revision(db_session, brand, author=SEED, reason="stale", expected_version=0)


def test_two_writers_cannot_both_write_the_same_version(db_session):
    brand = add_brand(db_session)
    db_session.add(
        Revision(
            entity_type=brand.entity_type,
            entity_id=brand.id,
            version=1,
            snapshot={},
            reason="duplicate",
            author_label="x",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()
