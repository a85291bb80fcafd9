"""A small public record with legal flags: the API, search and download tests share it."""

from __future__ import annotations

import datetime as dt

from tests import records
from tracker.models import CosmeticKind, DatePrecision
from tracker.services import claim_flags
from tracker.services.revisions import Author

LATER = {"date": dt.date(2027, 3, 1), "date_precision": DatePrecision.day}
DISMISSAL_REASON = "The label is the EU Ecolabel, a public scheme."


def flagged_dataset(session) -> dict[str, int]:
    """Claims with and without flags, one flag dismissed, one flagged claim withdrawn.

    Returns the ids by name: claims eco, scrub, neutral, plain, dismissed, withdrawn;
    brands acme (NL), globex (DE, aviation), birch (NL), cedar (NL, aviation).
    """
    acme = records.brand(session, "Acme Cosmetics", country="NL")
    globex = records.brand(session, "Globex Airways", country="DE", sector="aviation")
    birch = records.brand(session, "Birch Foods", country="NL", sector="food")
    cedar = records.brand(session, "Cedar Air", country="NL", sector="aviation")
    made = {
        "eco": records.claim(session, acme, "Eco-friendly packaging", **LATER),
        "scrub": records.claim(
            session,
            acme,
            "Our gentle scrub",
            topics=["microplastics"],
            ingredients="Aqua, Polyethylene, Polyquaternium-7",
            cosmetic_kind=CosmeticKind.rinse_off,
            date=dt.date(2024, 5, 1),
        ),
        "neutral": records.claim(session, globex, "Climate neutral flights"),
        "plain": records.claim(session, birch, "We opened a plant in Delft in 1990"),
        "dismissed": records.claim(session, cedar, "Eco-friendly flights", **LATER),
        "withdrawn": records.claim(session, birch, "Eco-friendly biscuits", **LATER),
    }
    session.flush()
    records.withdraw(session, made["withdrawn"])
    claim_flags.dismiss(
        session=session,
        claim=made["dismissed"],
        rule_id="EU825-GENERIC",
        reason=DISMISSAL_REASON,
        author=Author("mod-ana"),
    )
    session.commit()
    ids = {name: claim.id for name, claim in made.items()}
    ids |= {"acme": acme.id, "globex": globex.id, "birch": birch.id, "cedar": cedar.id}
    return ids
