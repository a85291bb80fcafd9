"""Finding words in a claim: whole words with inflections and compounds, case and accents aside.

Text is folded (accents dropped, case folded, "CO₂" read as "CO2") and cut into tokens: runs
of letters, runs of digits, and "%". A term matches a run of whole tokens separated only by
spaces, hyphens or apostrophes, so "Eco-design", "eco design" and "Ecodesign" match while
"economy" and "ecosystem" do not. Offsets always point into the original text, so a match can
be highlighted where it was found.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

TOKEN = re.compile(r"[^\W\d_]+|\d+|%")
# What may stand between the words of one term: "eco-friendly", "nature's", "net zero".
JOINER = re.compile(r"[\s\-\u2010\u2011\u2012\u2013'\u2019\u02bc]*")
DOUBLED_VOWEL = re.compile(r"^(.*)([aeiou])\2([^aeiou])$")
WILDCARD = "#"  # in ingredient lists: any number ("nylon-#", "peg-#")
INGREDIENT_SEPARATOR = re.compile(r"[,;\n]")
PARENTHESIS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Parts shorter than this are not joined into one word: "we'll" must not match "well".
MIN_JOIN = 3


@dataclass(frozen=True)
class Token:
    text: str  # folded
    start: int  # offsets into the original text
    end: int


@dataclass(frozen=True)
class Span:
    """A stretch of the original text that matched a term."""

    start: int
    end: int
    text: str
    term: str


@dataclass(frozen=True)
class Inflection:
    """The endings a language adds to a term's last word."""

    suffixes: tuple[str, ...] = ()
    undouble: tuple[str, ...] = ()  # endings after a doubled vowel is made single

    def forms(self, word: str) -> set[str]:
        """Return the word and its inflected forms."""
        if not word.isalpha():
            return {word}
        forms = {word} | {word + suffix for suffix in self.suffixes}
        if self.undouble and (match := DOUBLED_VOWEL.match(word)):
            stem = match.group(1) + match.group(2) + match.group(3)
            forms |= {stem + suffix for suffix in self.undouble}
        return forms


def fold(text: str) -> tuple[str, list[int]]:
    """Drop accents and case; return the folded text and each character's original offset."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                chars.append(folded)
                origin.append(index)
    return "".join(chars), origin


@lru_cache(maxsize=1024)
def tokenise(text: str) -> tuple[Token, ...]:
    """Cut text into folded tokens that remember where they stand in the original.

    Cached: every lexicon of every rule reads the same claim text.
    """
    folded, origin = fold(text)
    return tuple(
        Token(match.group(), origin[match.start()], origin[match.end() - 1] + 1)
        for match in TOKEN.finditer(folded)
    )


def words(text: str) -> tuple[str, ...]:
    """Return the folded tokens of a short text, such as a lexicon term."""
    return tuple(token.text for token in tokenise(text))


def _variants(parts: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Return a term's token sequences: as written and, for word compounds, joined."""
    variants = {parts}
    if len(parts) > 1 and all(part.isalpha() and len(part) >= MIN_JOIN for part in parts):
        variants.add(("".join(parts),))
    return variants


def _inflected(parts: tuple[str, ...], inflection: Inflection) -> set[tuple[str, ...]]:
    return {(*parts[:-1], form) for form in inflection.forms(parts[-1])}


class Lexicon:
    """Terms per language, matched as whole words with their inflections and compounds."""

    def __init__(
        self,
        name: str,
        terms: Mapping[str, Sequence[str]],
        inflections: Mapping[str, Inflection],
        prefixes: Mapping[str, Sequence[str]] | None = None,
    ):
        self.name = name
        # first token -> [(tokens, term, language)], longest first
        self._index: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for language, language_terms in terms.items():
            inflection = inflections.get(language, Inflection())
            for term in language_terms:
                self._add(words(term), term, language, inflection)
        for head, tails in (prefixes or {}).items():
            for tail in tails:
                # "eco" + "design": "eco-design", "eco design" and "ecodesign", in any language.
                for language, inflection in inflections.items():
                    parts = (*words(head), *words(tail))
                    self._add(parts, f"{head}{tail}", language, inflection, join=True)
        for entries in self._index.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    def _add(
        self,
        parts: tuple[str, ...],
        term: str,
        language: str,
        inflection: Inflection,
        *,
        join: bool = False,
    ) -> None:
        if not parts:
            return
        variants = _variants(parts) | ({("".join(parts),)} if join else set())
        for variant in variants:
            for sequence in _inflected(variant, inflection):
                entries = self._index.setdefault(sequence[0], [])
                if (sequence, term, language) not in entries:
                    entries.append((sequence, term, language))

    def find(self, text: str | None, languages: Iterable[str] | None = None) -> list[Span]:
        """Return every non-overlapping match in text, longest first at each position.

        languages limits the terms to those languages; None means every language.
        """
        if not text:
            return []
        allowed = None if languages is None else set(languages)
        tokens = tokenise(text)
        spans: list[Span] = []
        position = 0
        while position < len(tokens):
            length, term = self._match_at(text, tokens, position, allowed)
            if length:
                first, last = tokens[position], tokens[position + length - 1]
                spans.append(Span(first.start, last.end, text[first.start : last.end], term))
                position += length
            else:
                position += 1
        return spans

    def _match_at(
        self, text: str, tokens: tuple[Token, ...], position: int, allowed: set[str] | None
    ) -> tuple[int, str]:
        for sequence, term, language in self._index.get(tokens[position].text, []):
            if allowed is not None and language not in allowed:
                continue
            end = position + len(sequence)
            if end > len(tokens):
                continue
            window = tokens[position:end]
            if all(
                token.text == part for token, part in zip(window, sequence, strict=True)
            ) and all(
                JOINER.fullmatch(text[before.end : after.start])
                for before, after in itertools.pairwise(window)
            ):
                return len(sequence), term
        return 0, ""


@dataclass(frozen=True)
class FutureTarget:
    """A claim about future performance: the words that say so and the target year."""

    spans: list[Span]
    year: int


def find_future(
    text: str | None,
    *,
    markers: Lexicon,
    aims: Lexicon,
    languages: Iterable[str] | None,
    claim_year: int | None,
) -> FutureTarget | None:
    """Find a target year named as a future goal: "by 2030", "wij streven ... 2040"."""
    if not text:
        return None
    languages = None if languages is None else list(languages)
    tokens = tokenise(text)
    years = [
        token
        for token in tokens
        if len(token.text) == 4
        and token.text.isdigit()
        and 2000 <= int(token.text) <= 2100
        and (claim_year is None or int(token.text) > claim_year)
    ]
    if not years:
        return None
    marker_spans = markers.find(text, languages)
    for year in years:
        for marker in marker_spans:
            if marker.end <= year.start and not text[marker.end : year.start].strip():
                span = Span(marker.start, year.end, text[marker.start : year.end], marker.term)
                return FutureTarget([span], int(year.text))
    aim_spans = aims.find(text, languages)
    if aim_spans:
        year = years[0]
        year_span = Span(year.start, year.end, text[year.start : year.end], year.text)
        return FutureTarget([*aim_spans, year_span], int(year.text))
    return None


@dataclass(frozen=True)
class IngredientPattern:
    parts: tuple[str, ...]
    family: bool  # matches the start of an ingredient name ("PEG-40 hydrogenated castor oil")

    def matches(self, name: tuple[str, ...]) -> bool:
        if len(name) < len(self.parts) or (not self.family and len(name) != len(self.parts)):
            return False
        return all(
            part == word or (part == WILDCARD and word.isdigit())
            for part, word in zip(self.parts, name, strict=False)
        )


PATTERN_TOKEN = re.compile(r"[^\W\d_]+|\d+|%|#")


def _pattern_parts(entry: str) -> tuple[str, ...]:
    return tuple(PATTERN_TOKEN.findall(fold(entry)[0]))


class IngredientList:
    """A list of INCI ingredient names, matched against a product's ingredient list."""

    def __init__(self, name: str, names: Sequence[str], families: Sequence[str] = ()):
        self.name = name
        self.patterns: list[IngredientPattern] = []
        for entry in names:
            for parts in _variants(_pattern_parts(entry)):
                self.patterns.append(IngredientPattern(parts, family=False))
        for entry in families:
            self.patterns.append(IngredientPattern(_pattern_parts(entry), family=True))

    def extend(self, other: IngredientList) -> None:
        """Add another list's names to this one."""
        self.patterns.extend(other.patterns)

    def find(self, ingredients: str | None) -> list[Span]:
        """Return each ingredient of the list (comma separated, as printed) that is on this list."""
        if not ingredients:
            return []
        spans = []
        start = 0
        for piece in INGREDIENT_SEPARATOR.split(ingredients):
            end = start + len(piece)
            # "Polyethylene (microbeads)": the name is what stands outside brackets.
            bare = PARENTHESIS.sub(lambda match: " " * len(match.group()), piece)
            tokens = tokenise(bare)
            name = tuple(token.text for token in tokens)
            if name and any(pattern.matches(name) for pattern in self.patterns):
                first, last = start + tokens[0].start, start + tokens[-1].end
                spans.append(Span(first, last, ingredients[first:last], " ".join(name)))
            start = end + 1
        return spans
