"""Forms of the moderator's flag review: dismiss or restore a flag, record a claim's facts."""

from __future__ import annotations

import re
from typing import Any

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from tracker.forms import TrackerForm, newlines, strip
from tracker.legal.display import COSMETIC_KINDS, SCOPES
from tracker.models import Claim, ClaimScope, CosmeticKind

NOT_RECORDED = ("", _l("Not recorded"))
YES_NO = [NOT_RECORDED, ("yes", _l("Yes")), ("no", _l("No"))]
COUNTRY_CODES = frozenset(
    code for code in Locale("en").territories if re.fullmatch("[A-Z]{2}", code)
)


def _reason(label, minimum: int = 10):
    return TextAreaField(
        label,
        filters=[strip, newlines],
        validators=[
            InputRequired(_l("Give a reason.")),
            Length(min=minimum, max=2000, message=_l("Use %(min)d to %(max)d characters.")),
        ],
    )


class DismissForm(TrackerForm):
    reason = _reason(
        _l("Why this flag does not fit this claim"),
    )


class RestoreForm(TrackerForm):
    reason = _reason(_l("Why the flag applies after all"))


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _from_yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class FactsForm(TrackerForm):
    """The facts the rules read that only a person can establish."""

    version = HiddenField()
    markets = StringField(
        _l("Markets"),
        filters=[strip],
        description=_l(
            "Countries whose consumers the claim addressed, as two-letter codes separated by "
            "commas (NL, BE). Leave empty to use the brand's country."
        ),
        validators=[Length(max=200)],
    )
    scope = SelectField(
        _l("What the claim presents itself as covering"),
        choices=[NOT_RECORDED, *((scope.value, SCOPES[scope]) for scope in ClaimScope)],
    )
    evidence_one_aspect = SelectField(
        _l("The benefit behind the claim concerns only one aspect or part"), choices=YES_NO
    )
    relies_on_offsets = SelectField(_l("The claim rests on offsetting emissions"), choices=YES_NO)
    certification_present = SelectField(
        _l("The label is based on a certification scheme or set up by a public authority"),
        choices=YES_NO,
    )
    future_target_year = IntegerField(
        _l("Target year of a claim about the future"),
        validators=[
            Optional(),
            NumberRange(2000, 2100, message=_l("Enter a year from %(min)s to %(max)s.")),
        ],
    )
    cosmetic_kind = SelectField(
        _l("Kind of cosmetic product"),
        choices=[NOT_RECORDED, *((kind.value, COSMETIC_KINDS[kind]) for kind in CosmeticKind)],
    )
    ingredients = TextAreaField(
        _l("Ingredients"),
        filters=[strip, newlines],
        description=_l("The INCI list as printed on the product, separated by commas."),
        validators=[Length(max=5000)],
    )
    reason = _reason(_l("Reason for recording these facts"), minimum=5)

    def validate_markets(self, field) -> None:
        unknown = [code for code in self.market_codes() if code not in COUNTRY_CODES]
        if unknown:
            raise ValidationError(
                _(
                    "Not a country code: %(codes)s. Use codes like NL, BE or GB.",
                    codes=", ".join(unknown),
                )
            )

    def market_codes(self) -> list[str]:
        raw = self.markets.data or ""
        codes = [part.strip().upper() for part in re.split(r"[,;\s]+", raw) if part.strip()]
        return list(dict.fromkeys(codes))

    def facts(self) -> dict[str, Any]:
        """Return the form's facts as the claim's column values."""
        return {
            "markets": self.market_codes(),
            "scope": ClaimScope(self.scope.data) if self.scope.data else None,
            "evidence_one_aspect": _from_yes_no(self.evidence_one_aspect.data),
            "relies_on_offsets": _from_yes_no(self.relies_on_offsets.data),
            "certification_present": _from_yes_no(self.certification_present.data),
            "future_target_year": self.future_target_year.data,
            "cosmetic_kind": CosmeticKind(self.cosmetic_kind.data)
            if self.cosmetic_kind.data
            else None,
            "ingredients": self.ingredients.data or None,
        }

    @staticmethod
    def data_of(claim: Claim) -> dict[str, Any]:
        """Return the form's starting values from a claim."""
        return {
            "version": str(claim.version),
            "markets": ", ".join(claim.markets or []),
            "scope": claim.scope.value if claim.scope else "",
            "evidence_one_aspect": _yes_no(claim.evidence_one_aspect),
            "relies_on_offsets": _yes_no(claim.relies_on_offsets),
            "certification_present": _yes_no(claim.certification_present),
            "future_target_year": claim.future_target_year,
            "cosmetic_kind": claim.cosmetic_kind.value if claim.cosmetic_kind else "",
            "ingredients": claim.ingredients or "",
        }
