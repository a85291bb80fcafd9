"""Forms of the moderation pages: one per decision, bulk decisions, the edit note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.forms import AtLeastOne, MultiCheckboxField, TrackerForm, newlines
from tracker.labels import choices
from tracker.models import ReasonCode

MESSAGE_MAX = 5000


def _message(required: bool, label=None, description=None):
    validators = [Length(max=MESSAGE_MAX, message=_l("Use at most %(max)d characters."))]
    validators.insert(
        0, DataRequired(_l("Write a message to the contributor.")) if required else Optional()
    )
    return TextAreaField(
        label or _l("Message to the contributor"),
        filters=[newlines],
        validators=validators,
        description=description,
        render_kw={"rows": 3},
    )


class DecisionForm(TrackerForm):
    # The version of the submission the moderator saw: a decision on anything newer is refused.
    lock_version = HiddenField(validators=[InputRequired()])

    def expected_lock(self) -> int:
        value = self.lock_version.data or ""
        return int(value) if value.isdigit() else -1


class ApproveForm(DecisionForm):
    pass


class RejectForm(DecisionForm):
    reason_code = SelectField(_l("Reason"), validators=[DataRequired(_l("Choose a reason."))])
    message = _message(
        True, description=_l("Shown to the contributor on their private page; not published.")
    )

    def fill_choices(self) -> None:
        self.reason_code.choices = [("", _l("Choose a reason")), *choices(ReasonCode)]


class ChangesForm(DecisionForm):
    message = _message(
        True,
        label=_l("What should change"),
        description=_l("The contributor sees this, edits the submission and sends it again."),
    )


class MergeForm(DecisionForm):
    target = IntegerField(
        _l("Number of the existing record"),
        validators=[
            InputRequired(_l("Give the number of the record to merge into.")),
            NumberRange(min=1, message=_l("Give the number of the record to merge into.")),
        ],
        description=_l("The record it duplicates: its new sources or names are added to it."),
    )
    message = _message(False)


class EditNoteForm(TrackerForm):
    class Meta:
        csrf = False  # travels inside the submission's own form, which carries the token

    edit_note = TextAreaField(
        _l("Why you edited it"),
        filters=[newlines],
        validators=[Optional(), Length(max=2000, message=_l("Use at most %(max)d characters."))],
        description=_l("Recorded with the decision and in the record's history."),
        render_kw={"rows": 2},
    )


class BulkForm(TrackerForm):
    selected = MultiCheckboxField(
        _l("Submissions"),
        validators=[AtLeastOne(_l("Select at least one submission."))],
        validate_choice=False,  # the rows shown may have moved on; each is checked on its own
    )
    action = RadioField(_l("Decision"), validators=[DataRequired(_l("Choose approve or reject."))])
    reason_code = SelectField(_l("Reason (for rejecting)"), validators=[Optional()])
    message = _message(False, description=_l("For rejecting: sent to every contributor."))

    def fill_choices(self, rows) -> None:
        self.selected.choices = [(f"{row.id}:{row.lock_version}", f"#{row.id}") for row in rows]
        self.action.choices = [("approve", _l("Approve")), ("reject", _l("Reject"))]
        self.reason_code.choices = [("", "—"), *choices(ReasonCode)]

    def items(self) -> list[tuple[int, int]]:
        pairs = []
        for value in self.selected.data:
            number, _, lock = value.partition(":")
            if number.isdigit() and lock.isdigit():
                pairs.append((int(number), int(lock)))
        return pairs

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.action.data == "reject":
            if not self.reason_code.data:
                self.reason_code.errors = [*self.reason_code.errors, _l("Choose a reason.")]
                valid = False
            if not (self.message.data or "").strip():
                self.message.errors = [
                    *self.message.errors,
                    _l("Write a message to the contributors."),
                ]
                valid = False
        return valid
