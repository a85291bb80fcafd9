"""Forms of the admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from tracker.forms import TrackerForm
from tracker.labels import choices
from tracker.models import Role


class AccessForm(TrackerForm):
    role = SelectField(_l("Role"), coerce=str)
    brand = SelectField(
        _l("Brand represented"),
        coerce=str,
        description=_l("Only for the representative role."),
    )
    verified = BooleanField(
        _l("Verified: this person may speak for the brand"),
        description=_l("Check the note below, and the person's identity, before verifying."),
    )
    active = BooleanField(_l("Account active (unchecked: the person can no longer log in)"))

    def fill_choices(self, brands) -> None:
        self.role.choices = choices(Role)
        self.brand.choices = [("", "—")] + [(str(brand.id), brand.name) for brand in brands]
