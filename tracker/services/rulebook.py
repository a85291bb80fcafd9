"""The rules of the legal flags, read from YAML and checked before the app starts.

tracker/legal/rules.yaml lists the rules; tracker/legal/lexicons/*.yaml the terms they look
for; tracker/legal/ingredients/*.yaml the INCI lists. A mistake in any of them stops the app
with a message that names the file, the rule and the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum, auto
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tracker.models import ClaimChannel, ClaimScope, CosmeticKind, DatePrecision, Topic
from tracker.services.dates import PartialDate
from tracker.services.matching import Inflection, IngredientList, Lexicon

PACKAGED_RULES = Path(__file__).resolve().parent.parent / "legal" / "rules.yaml"
RULE_ID = r"^[A-Z0-9]+(-[A-Z0-9]+)*$"
NAME = r"^[a-z][a-z0-9_]*$"

# The facts a moderator records on a claim that a rule may test, and their values.
FACT_VALUES: dict[str, type | tuple[str, ...]] = {
    "scope": tuple(ClaimScope),
    "evidence_one_aspect": bool,
    "relies_on_offsets": bool,
    "certification_present": bool,
    "cosmetic_kind": tuple(CosmeticKind),
}


class RulesError(RuntimeError):
    """The rules are invalid. Each problem names the file, the rule and the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The legal flag rules are invalid:\n  " + "\n  ".join(problems))


class RuleKind(StrEnum):
    law = auto()
    guidance = auto()
    self_regulation = auto()
    ngo_definition = auto()


# --- The file format ------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Bilingual(Strict):
    en: str = Field(min_length=1)
    nl: str = Field(min_length=1)

    def get(self, language: str) -> str:
        """Return the text in language, English if that is missing."""
        return getattr(self, language, None) or self.en


Text = str | Bilingual  # a legal reference may be the same in every language


def localised(text: Text, language: str) -> str:
    """Return a text in the language, when it comes in several."""
    return text.get(language) if isinstance(text, Bilingual) else text


class LanguageSpec(Strict):
    suffixes: list[str] = []
    undouble: list[str] = []


class JurisdictionSpec(Strict):
    name: Bilingual
    countries: list[str] | Literal["*"]

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, list):
            for code in value:
                if len(code) != 2 or not code.isupper():
                    raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code")
        return value


class FactCondition(Strict):
    fact: str
    is_: bool | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in")
    when_unknown: Literal["flag", "skip"]

    @model_validator(mode="after")
    def _valid(self) -> FactCondition:
        if self.fact not in FACT_VALUES:
            raise ValueError(f"unknown fact {self.fact!r}; known: {', '.join(FACT_VALUES)}")
        if (self.is_ is None) == (self.in_ is None):
            raise ValueError("give exactly one of 'is' and 'in'")
        values = FACT_VALUES[self.fact]
        if self.is_ is not None and values is not bool:
            raise ValueError(f"{self.fact} is not yes/no: use 'in'")
        if self.in_ is not None:
            if values is bool:
                raise ValueError(f"{self.fact} is yes/no: use 'is'")
            unknown = [value for value in self.in_ if value not in values]
            if unknown:
                raise ValueError(f"{self.fact} has no value {unknown[0]!r}")
        return self

    def holds(self, value: Any) -> bool:
        """Say whether a recorded (not None) value meets the condition."""
        if self.is_ is not None:
            return value is self.is_
        return str(value) in (self.in_ or [])


class IngredientTrigger(Strict):
    list: str = Field(pattern=NAME)
    except_: str | None = Field(default=None, alias="except", pattern=NAME)


class Trigger(Strict):
    terms: list[str] = []
    future: bool = False
    channels: list[ClaimChannel] = []
    topics: list[Topic] = []
    facts: list[FactCondition] = []
    ingredients: IngredientTrigger | None = None
    specification: str | None = None
    offset_terms: str | None = None
    beside_terms: str | None = None

    @model_validator(mode="after")
    def _something_to_match(self) -> Trigger:
        if not (self.terms or self.future or self.channels or self.facts or self.ingredients):
            raise ValueError("a trigger needs terms, future, channels, facts or ingredients")
        return self

    @property
    def lexicons(self) -> list[str]:
        named = [self.specification, self.offset_terms, self.beside_terms]
        return [*self.terms, *(name for name in named if name)]


DateValue = dt.date | int | str | None


def _partial(value: DateValue) -> PartialDate:
    return PartialDate.parse(value)


class Phase(Strict):
    cosmetic_kind: CosmeticKind
    applies_from: dt.date


class Rule(Strict):
    id: str = Field(pattern=RULE_ID, max_length=40)
    kind: RuleKind
    instrument: Text
    article: Text
    jurisdiction: str
    applies_from: DateValue
    until: DateValue = None
    phases: list[Phase] = []
    link: str = Field(pattern=r"^https://\S+$")
    title: Bilingual
    explanation: Bilingual
    caveats: list[Bilingual] = []
    trigger: Trigger

    @field_validator("applies_from", "until")
    @classmethod
    def _date(cls, value: DateValue) -> DateValue:
        _partial(value)  # raises ValueError with a clear message
        return value

    @model_validator(mode="after")
    def _dates(self) -> Rule:
        if self.kind is not RuleKind.ngo_definition and self.start.value is None:
            raise ValueError("applies_from is required for a law, guidance or self-regulation")
        if self.end.value and self.start.value and self.end.value < self.start.value:
            raise ValueError("until is before applies_from")
        return self

    @property
    def start(self) -> PartialDate:
        return _partial(self.applies_from)

    @property
    def end(self) -> PartialDate:
        return _partial(self.until)

    def start_for(self, cosmetic_kind: CosmeticKind | None) -> PartialDate:
        """Return the date the rule applies from for this kind of product."""
        for phase in self.phases:
            if phase.cosmetic_kind == cosmetic_kind:
                return PartialDate(phase.applies_from, DatePrecision.day)
        return self.start


class RulesFile(Strict):
    languages: dict[str, LanguageSpec]
    jurisdictions: dict[str, JurisdictionSpec]
    rules: list[Rule] = Field(min_length=1)


class LexiconFile(Strict):
    title: Bilingual
    terms: dict[str, list[str]] = {}
    prefixes: dict[str, list[str]] = {}
    year_markers: dict[str, list[str]] = {}


class IngredientFile(Strict):
    title: Bilingual
    includes: list[str] = []
    ingredients: list[str] = []
    families: list[str] = []


# --- The rules, ready to use ----------------------------------------------------------


@dataclass
class Rulebook:
    """Validated rules with their lexicons and ingredient lists compiled for matching."""

    path: Path
    digest: str
    rules: list[Rule]
    jurisdictions: dict[str, JurisdictionSpec]
    lexicons: dict[str, Lexicon] = field(default_factory=dict)
    lexicon_titles: dict[str, Bilingual] = field(default_factory=dict)
    ingredient_lists: dict[str, IngredientList] = field(default_factory=dict)
    list_titles: dict[str, Bilingual] = field(default_factory=dict)
    year_markers: Lexicon | None = None

    @property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def rule(self, rule_id: str) -> Rule | None:
        """Return the rule with that id, or None if the rules no longer have it."""
        return self.by_id.get(rule_id)


def _read_yaml(path: Path, label: str, problems: list[str]) -> Any:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(f"{label}: cannot be read: {error.strerror or error}")
        return None
    except yaml.YAMLError as error:
        problems.append(f"{label}: not valid YAML: {error}")
        return None
    if not isinstance(document, dict):
        problems.append(f"{label}: expected a mapping at the top of the file")
        return None
    return document


def _where(label: str, loc: tuple, document: dict) -> str:
    """Name the rule and field an error is in: rules[2] (EU825-OFFSET): applies_from."""
    parts = [str(part) for part in loc]
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        entries = document.get("rules") or []
        entry = entries[loc[1]] if loc[1] < len(entries) else None
        rule_id = entry.get("id") if isinstance(entry, dict) else None
        record = f"rules[{loc[1]}]" + (f" ({rule_id})" if rule_id else "")
        fields = ".".join(parts[2:]) or "(rule)"
        return f"{label}: {record}: {fields}"
    return f"{label}: {'.'.join(parts) or '(file)'}"


def _validate(schema: type[Strict], document: dict, label: str, problems: list[str]):
    try:
        return schema.model_validate(document)
    except ValidationError as error:
        for item in error.errors():
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{_where(label, item['loc'], document)}: {message}")
        return None


def _label(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.parent.parent).as_posix()
    except ValueError:
        return str(path)


def load_rulebook(path: Path = PACKAGED_RULES) -> Rulebook:
    """Read and check the rules file and every file it names; raise RulesError if invalid."""
    path = Path(path)
    folder = path.parent
    problems: list[str] = []
    label = _label(path, folder)
    document = _read_yaml(path, label, problems)
    if document is None:
        raise RulesError(problems)
    parsed = _validate(RulesFile, document, label, problems)
    if parsed is None:
        raise RulesError(problems)

    hasher = hashlib.sha256(path.read_bytes())
    inflections = {
        language: Inflection(tuple(spec.suffixes), tuple(spec.undouble))
        for language, spec in parsed.languages.items()
    }
    book = Rulebook(path=path, digest="", rules=parsed.rules, jurisdictions=parsed.jurisdictions)
    seen: set[str] = set()
    needed_lexicons: dict[str, list[str]] = {}
    needed_lists: dict[str, list[str]] = {}
    for index, rule in enumerate(parsed.rules):
        where = f"{label}: rules[{index}] ({rule.id})"
        if rule.id in seen:
            problems.append(f"{where}: id: {rule.id} is used by another rule")
        seen.add(rule.id)
        if rule.jurisdiction not in parsed.jurisdictions:
            problems.append(f"{where}: jurisdiction: unknown jurisdiction {rule.jurisdiction!r}")
        for name in rule.trigger.lexicons:
            needed_lexicons.setdefault(name, []).append(where)
        if rule.trigger.future:
            needed_lexicons.setdefault("future", []).append(where)
        if rule.trigger.ingredients:
            for name in (rule.trigger.ingredients.list, rule.trigger.ingredients.except_):
                if name:
                    needed_lists.setdefault(name, []).append(where)

    for name, users in sorted(needed_lexicons.items()):
        lexicon_path = folder / "lexicons" / f"{name}.yaml"
        if not lexicon_path.is_file():
            problems.append(f"{users[0]}: trigger: no lexicon {name!r} ({lexicon_path.name})")
            continue
        lexicon_label = _label(lexicon_path, folder)
        raw = _read_yaml(lexicon_path, lexicon_label, problems)
        lexicon = raw and _validate(LexiconFile, raw, lexicon_label, problems)
        if not lexicon:
            continue
        for language in [*lexicon.terms, *lexicon.year_markers]:
            if language not in parsed.languages:
                problems.append(f"{lexicon_label}: terms.{language}: unknown language")
        hasher.update(lexicon_path.read_bytes())
        book.lexicons[name] = Lexicon(name, lexicon.terms, inflections, lexicon.prefixes)
        book.lexicon_titles[name] = lexicon.title
        if name == "future":
            book.year_markers = Lexicon("year_markers", lexicon.year_markers, inflections)

    for name, users in sorted(needed_lists.items()):
        ingredients = _ingredient_list(name, folder, users[0], problems, hasher, book)
        if ingredients:
            book.ingredient_lists[name] = ingredients

    if problems:
        raise RulesError(problems)
    book.digest = hasher.hexdigest()
    return book


def _ingredient_list(
    name: str, folder: Path, user: str, problems: list[str], hasher, book: Rulebook, depth: int = 0
) -> IngredientList | None:
    list_path = folder / "ingredients" / f"{name}.yaml"
    if not list_path.is_file() or depth > 3:
        problems.append(f"{user}: trigger.ingredients: no ingredient list {name!r}")
        return None
    list_label = _label(list_path, folder)
    raw = _read_yaml(list_path, list_label, problems)
    parsed = raw and _validate(IngredientFile, raw, list_label, problems)
    if not parsed:
        return None
    hasher.update(list_path.read_bytes())
    ingredients = IngredientList(name, parsed.ingredients, parsed.families)
    for included in parsed.includes:
        other = _ingredient_list(
            included, folder, f"{list_label}: includes", problems, hasher, book, depth + 1
        )
        if other:
            ingredients.extend(other)
    book.list_titles[name] = parsed.title
    return ingredients


@cache
def packaged_rulebook() -> Rulebook:
    """Return the rules shipped with the package, read once."""
    return load_rulebook(PACKAGED_RULES)
