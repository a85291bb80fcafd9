"""Contribution forms: a brand, a claim, a contradiction, evidence, a correction, a response,
a remedy. Each turns into a payload (services/payloads.py) and back, for editing."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from tracker.forms import (
    AtLeastOne,
    HoneypotForm,
    HttpUrl,
    MultiCheckboxField,
    PartialDateField,
    SubForm,
    newlines,
    strip,
)
from tracker.labels import choices
from tracker.models import (
    REMEDY_KINDS,
    ClaimChannel,
    ContradictionKind,
    EntityType,
    FinderKind,
    OutcomeKind,
    Stance,
    Topic,
)
from tracker.services.payloads import LANGUAGE_PATTERN, MAX_SOURCES, NOTE_MAX


def _max(length: int) -> Length:
    return Length(max=length, message=_l("Use at most %(max)d characters."))


def _text(value: Any) -> str | None:
    """Return a text for the payload: None when empty, otherwise exactly as typed."""
    return value if isinstance(value, str) and value.strip() else None


# --- Sources -----------------------------------------------------------------------------


class SourceEntry(SubForm):
    url = URLField(
        _l("Web address"),
        filters=[strip],
        validators=[Optional(), _max(2000), HttpUrl()],
        render_kw={"inputmode": "url", "spellcheck": "false", "autocomplete": "off"},
    )
    title = StringField(_l("Title"), filters=[strip], validators=[Optional(), _max(500)])
    publisher = StringField(
        _l("Publisher"),
        filters=[strip],
        validators=[Optional(), _max(300)],
        description=_l("Who published it: a newspaper, a court, the brand itself."),
    )
    date = PartialDateField(_l("Published on"))
    excerpt = TextAreaField(
        _l("Supporting excerpt"),
        filters=[newlines],
        validators=[Optional(), _max(5000)],
        description=_l("Copy the words from the source that show the point, exactly."),
        render_kw={"rows": 3},
    )

    def is_blank(self) -> bool:
        return not any(
            [self.url.data, self.title.data, self.publisher.data, self.excerpt.data]
        ) and not any(self.date.parts.values())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.is_blank() and not self.url.data:
            self.url.errors = [*self.url.errors, _l("Enter the source's web address.")]
            valid = False
        return valid

    def to_payload(self) -> dict[str, Any]:
        return {
            "url": self.url.data,
            "title": _text(self.title.data),
            "publisher": _text(self.publisher.data),
            "date": self.date.iso(),
            "excerpt": _text(self.excerpt.data),
        }


def source_list(label=None):
    return FieldList(
        FormField(SourceEntry),
        label=label or _l("Source"),
        min_entries=1,
        max_entries=MAX_SOURCES,
    )


# --- The parts every contribution has ----------------------------------------------------


class ContributionForm(HoneypotForm):
    """A contribution: its own fields, sources, a note to moderators, a contact address."""

    sources_required = True
    sources = source_list()
    note = TextAreaField(
        _l("A note for the moderators"),
        filters=[newlines],
        validators=[Optional(), _max(NOTE_MAX)],
        description=_l("Anything that helps to check this. Not published."),
        render_kw={"rows": 3},
    )
    contact_email = EmailField(
        _l("Your email address"),
        filters=[strip],
        validators=[
            Optional(),
            _max(320),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Enter an email address like name@example.org."),
            ),
        ],
        description=_l(
            "To receive your private link and hear about the decision. Never published and "
            "never shown to moderators."
        ),
        render_kw={"autocomplete": "email"},
    )

    def validate_sources(self, field) -> None:
        if self.sources_required and not self.filled_sources():
            raise ValidationError(
                _l("Give at least one source: the web address it can be checked at.")
            )

    def filled_sources(self) -> list[SourceEntry]:
        return [entry.form for entry in self.sources.entries if not entry.form.is_blank()]

    def base_payload(self) -> dict[str, Any]:
        return {
            "sources": [source.to_payload() for source in self.filled_sources()],
            "note": _text(self.note.data),
        }

    def add_source(self) -> bool:
        """Add an empty source entry (the "add another source" button); False at the limit."""
        if len(self.sources.entries) >= MAX_SOURCES:
            return False
        self.sources.append_entry()
        return True

    @staticmethod
    def data_from(payload: dict[str, Any]) -> dict[str, Any]:
        """Return form data that shows a stored payload again, for editing it."""
        data = {key: value for key, value in payload.items() if key != "sources"}
        sources = [s for s in payload.get("sources") or [] if isinstance(s, dict)]
        data["sources"] = sources or [{}]
        return data


# --- Kinds -------------------------------------------------------------------------------


class BrandForm(ContributionForm):
    sources_required = False
    sources = source_list(_l("Source"))
    name = StringField(
        _l("Brand name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the brand's name.")), _max(200)],
    )
    legal_name = StringField(
        _l("Legal name"),
        filters=[strip],
        validators=[Optional(), _max(300)],
        description=_l("The company's registered name, for example “Acme Cosmetics B.V.”."),
    )
    aliases = TextAreaField(
        _l("Other names"),
        filters=[newlines],
        validators=[Optional(), _max(4000)],
        description=_l("One per line: former names, product lines, spellings."),
        render_kw={"rows": 2},
    )
    parent_company = StringField(
        _l("Parent company"), filters=[strip], validators=[Optional(), _max(300)]
    )
    country = SelectField(_l("Country"), validators=[Optional()], coerce=str)
    sector = StringField(
        _l("Sector"),
        filters=[strip],
        validators=[Optional(), _max(120)],
        description=_l("For example: cosmetics, airline, fashion, food."),
    )
    website = URLField(
        _l("Website"),
        filters=[strip],
        validators=[Optional(), _max(500), HttpUrl()],
        render_kw={"inputmode": "url", "spellcheck": "false"},
    )
    description = TextAreaField(
        _l("Description"),
        filters=[newlines],
        validators=[Optional(), _max(2000)],
        render_kw={"rows": 3},
    )

    def validate_aliases(self, field) -> None:
        lines = [line.strip() for line in (field.data or "").split("\n") if line.strip()]
        if len(lines) > 20:
            raise ValidationError(_l("Give at most 20 other names."))
        if any(len(line) > 200 for line in lines):
            raise ValidationError(_l("Each name may have at most 200 characters."))

    def to_payload(self) -> dict[str, Any]:
        aliases = [line.strip() for line in (self.aliases.data or "").split("\n") if line.strip()]
        return {
            "name": self.name.data,
            "legal_name": _text(self.legal_name.data),
            "aliases": aliases,
            "parent_company": _text(self.parent_company.data),
            "country": self.country.data or None,
            "sector": _text(self.sector.data),
            "website": self.website.data or None,
            "description": _text(self.description.data),
            **self.base_payload(),
        }

    @staticmethod
    def data_from(payload: dict[str, Any]) -> dict[str, Any]:
        data = ContributionForm.data_from(payload)
        data["aliases"] = "\n".join(a for a in payload.get("aliases") or [] if isinstance(a, str))
        return data


class ClaimForm(ContributionForm):
    brand = SelectField(
        _l("Brand"), validators=[DataRequired(_l("Choose the brand that made the claim."))]
    )
    quote = TextAreaField(
        _l("The claim, word for word"),
        filters=[newlines],
        validators=[Optional(), _max(5000)],
        description=_l(
            "Copy the brand's words exactly as they appeared, in their original language."
        ),
        render_kw={"rows": 3},
    )
    quote_is_exact = BooleanField(_l("These are the brand's exact words"), default=True)
    summary = TextAreaField(
        _l("Or describe the claim"),
        filters=[newlines],
        validators=[Optional(), _max(5000)],
        description=_l("Only if the exact words are not known."),
        render_kw={"rows": 2},
    )
    language = StringField(
        _l("Language of the claim"),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            Optional(),
            _max(12),
            Regexp(LANGUAGE_PATTERN, message=_l("Use a language code such as en, nl, de or fr.")),
        ],
        description=_l("A two-letter code: en, nl, de, fr …"),
        render_kw={"size": 6, "autocomplete": "off"},
    )
    translation = TextAreaField(
        _l("Translation into English or Dutch"),
        filters=[newlines],
        validators=[Optional(), _max(5000)],
        render_kw={"rows": 2},
    )
    channel = SelectField(_l("Where it was said"), validators=[DataRequired()])
    where = StringField(
        _l("Where exactly"),
        filters=[strip],
        validators=[Optional(), _max(1000)],
        description=_l(
            "For example: the label of the 200 ml bottle, a TV advert, the 2023 annual report."
        ),
    )
    speaker = StringField(
        _l("Who said it"),
        filters=[strip],
        validators=[Optional(), _max(300)],
        description=_l("If a person said it: their name and role."),
    )
    date = PartialDateField(_l("When it was said"))
    topics = MultiCheckboxField(
        _l("Topics"), validators=[AtLeastOne(_l("Choose at least one topic."))]
    )
    sources = source_list(_l("Source"))

    def fill_choices(self, brands) -> None:
        self.brand.choices = [("", _l("Choose a brand"))] + [(str(b.id), b.name) for b in brands]
        self.channel.choices = choices(ClaimChannel)
        self.topics.choices = choices(Topic)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not _text(self.quote.data) and not _text(self.summary.data):
            self.quote.errors = [
                *self.quote.errors,
                _l("Give the claim's words, or describe it below if they are not known."),
            ]
            valid = False
        return valid

    def to_payload(self) -> dict[str, Any]:
        return {
            "brand_id": int(self.brand.data),
            "quote": _text(self.quote.data),
            "quote_is_exact": bool(self.quote_is_exact.data),
            "summary": _text(self.summary.data),
            "language": self.language.data or None,
            "translation": _text(self.translation.data),
            "channel": self.channel.data,
            "where": _text(self.where.data),
            "speaker": _text(self.speaker.data),
            "date": self.date.iso(),
            "topics": list(self.topics.data),
            **self.base_payload(),
        }

    @staticmethod
    def data_from(payload: dict[str, Any]) -> dict[str, Any]:
        data = ContributionForm.data_from(payload)
        data["brand"] = str(payload.get("brand_id") or "")
        return data


class ContradictionForm(ContributionForm):
    claims = MultiCheckboxField(
        _l("The claims it contradicts"),
        coerce=int,
        validators=[AtLeastOne(_l("Choose at least one claim."))],
    )
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Give the finding a one-line title.")), _max(300)],
        description=_l(
            "One line that says what was found, for example: "
            "“Lab test finds microplastics in a scrub sold as natural”."
        ),
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=[newlines],
        validators=[DataRequired(_l("Summarise what the evidence shows.")), _max(10000)],
        description=_l(
            "What was found, by whom, and why it contradicts the claim. "
            "Stick to what the sources say."
        ),
        render_kw={"rows": 5},
    )
    finder_name = StringField(
        _l("Who found it"),
        filters=[strip],
        validators=[
            DataRequired(_l("Name who found it: an NGO, a newspaper, a court …")),
            _max(300),
        ],
    )
    finder_kind = SelectField(_l("What kind of finder"), validators=[DataRequired()])
    kind = SelectField(_l("Kind of evidence"), validators=[DataRequired()])
    date = PartialDateField(_l("When it was published"), required=True)
    quote = TextAreaField(
        _l("A key sentence from the evidence"),
        filters=[newlines],
        validators=[Optional(), _max(5000)],
        render_kw={"rows": 2},
    )
    sources = source_list(_l("Source"))

    def fill_choices(self, claims) -> None:
        self.claims.choices = [(claim.id, claim.headline[:160]) for claim in claims]
        self.finder_kind.choices = choices(FinderKind)
        self.kind.choices = choices(ContradictionKind)

    def to_payload(self, brand_id: int) -> dict[str, Any]:
        return {
            "brand_id": brand_id,
            "claim_ids": sorted(self.claims.data),
            "title": self.title.data,
            "summary": self.summary.data,
            "finder_name": self.finder_name.data,
            "finder_kind": self.finder_kind.data,
            "kind": self.kind.data,
            "date": self.date.iso(),
            "quote": _text(self.quote.data),
            **self.base_payload(),
        }

    @staticmethod
    def data_from(payload: dict[str, Any]) -> dict[str, Any]:
        data = ContributionForm.data_from(payload)
        data["claims"] = payload.get("claim_ids") or []
        return data


class EvidenceForm(ContributionForm):
    stance = SelectField(_l("The new evidence"), validators=[DataRequired()])
    explanation = TextAreaField(
        _l("What it adds"),
        filters=[newlines],
        validators=[DataRequired(_l("Say what the new evidence shows.")), _max(2000)],
        render_kw={"rows": 3},
    )
    sources = source_list(_l("Source"))

    def fill_choices(self) -> None:
        self.stance.choices = [
            (Stance.supports.value, _l("supports this record")),
            (Stance.refutes.value, _l("calls this record into question")),
        ]

    def to_payload(self, target: tuple[EntityType, int]) -> dict[str, Any]:
        return {
            "target_type": target[0].value,
            "target_id": target[1],
            "stance": self.stance.data,
            "explanation": self.explanation.data,
            **self.base_payload(),
        }


OTHER_FIELD = "other"


class CorrectionForm(ContributionForm):
    field = SelectField(_l("What needs correcting"), validators=[DataRequired()])
    what_is_wrong = TextAreaField(
        _l("What is wrong"),
        filters=[newlines],
        validators=[DataRequired(_l("Say what is wrong.")), _max(2000)],
        render_kw={"rows": 3},
    )
    fix = TextAreaField(
        _l("What it should say"),
        filters=[newlines],
        validators=[DataRequired(_l("Give the correct text or value.")), _max(10000)],
        description=_l("The corrected text or value, exactly as it should be published."),
        render_kw={"rows": 3},
    )
    sources = source_list(_l("Source"))

    def fill_choices(self, fields: list[tuple[str, object]]) -> None:
        self.field.choices = [*fields, (OTHER_FIELD, _l("Something else (say what above)"))]

    def to_payload(self, target: tuple[EntityType, int]) -> dict[str, Any]:
        return {
            "target_type": target[0].value,
            "target_id": target[1],
            "field": None if self.field.data == OTHER_FIELD else self.field.data,
            "what_is_wrong": self.what_is_wrong.data,
            "fix": self.fix.data,
            **self.base_payload(),
        }

    @staticmethod
    def data_from(payload: dict[str, Any]) -> dict[str, Any]:
        data = ContributionForm.data_from(payload)
        data["field"] = payload.get("field") or OTHER_FIELD
        return data


class ResponseForm(ContributionForm):
    summary = TextAreaField(
        _l("The brand's answer"),
        filters=[newlines],
        validators=[DataRequired(_l("Give the brand's answer.")), _max(10000)],
        render_kw={"rows": 5},
    )
    quote = TextAreaField(
        _l("The brand's own words"),
        filters=[newlines],
        validators=[Optional(), _max(5000)],
        description=_l("A sentence quoted exactly from the statement, if there is one."),
        render_kw={"rows": 2},
    )
    quote_language = StringField(
        _l("Language of the quote"),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            Optional(),
            _max(12),
            Regexp(LANGUAGE_PATTERN, message=_l("Use a language code such as en, nl, de or fr.")),
        ],
        render_kw={"size": 6},
    )
    date = PartialDateField(_l("Date of the answer"), required=True)
    sources = source_list(_l("Source"))

    def to_payload(self, contradiction_id: int, via: str) -> dict[str, Any]:
        return {
            "contradiction_id": contradiction_id,
            "summary": self.summary.data,
            "quote": _text(self.quote.data),
            "quote_language": self.quote_language.data or None,
            "date": self.date.iso(),
            "via": via,
            **self.base_payload(),
        }


class RemedyForm(ContributionForm):
    contradiction = SelectField(_l("Which contradiction it answers"), validators=[Optional()])
    kind = SelectField(_l("What the brand did"), validators=[DataRequired()])
    summary = TextAreaField(
        _l("What changed"),
        filters=[newlines],
        validators=[DataRequired(_l("Describe what the brand changed.")), _max(10000)],
        render_kw={"rows": 4},
    )
    date = PartialDateField(_l("When it took effect"), required=True)
    sources = source_list(_l("Evidence"))

    def fill_choices(self, contradictions) -> None:
        self.contradiction.choices = [("", _l("None in particular"))] + [
            (str(c.id), c.title[:160]) for c in contradictions
        ]
        self.kind.choices = [
            (kind.value, label) for kind, label in choices_of(OutcomeKind) if kind in REMEDY_KINDS
        ]

    def to_payload(self, brand_id: int) -> dict[str, Any]:
        return {
            "brand_id": brand_id,
            "contradiction_id": int(self.contradiction.data) if self.contradiction.data else None,
            "kind": self.kind.data,
            "summary": self.summary.data,
            "date": self.date.iso(),
            **self.base_payload(),
        }

    @staticmethod
    def data_from(payload: dict[str, Any]) -> dict[str, Any]:
        data = ContributionForm.data_from(payload)
        data["contradiction"] = str(payload.get("contradiction_id") or "")
        return data


def choices_of(enum_cls) -> list[tuple[Any, str]]:
    return [(member, label) for member, (_, label) in zip(enum_cls, choices(enum_cls), strict=True)]
