"""Text as the search index sees it: folded words, parsed queries, highlighted snippets.

Both databases are given the same folded words (lower case, accents and punctuation gone), so
they tokenise alike and find the same records: "Ökodesign" is indexed as "okodesign".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WORD = re.compile(r"[^\W_]+")
# Letters that Unicode does not decompose into a base letter and an accent.
LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MIN_PREFIX = 2


def fold(text: str | None) -> str:
    """Return text as the index stores it: folded words separated by single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LETTERS))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(WORD.findall(plain))


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or several for a phrase
    prefix: bool = False  # the last word may be the start of a longer one

    def matches(self, word: str) -> bool:
        return any(word == w or (self.prefix and word.startswith(w)) for w in self.words)


@dataclass(frozen=True)
class ParsedQuery:
    terms: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    shortened: bool = False

    @property
    def empty(self) -> bool:
        return not self.terms


QUOTED = re.compile(r'"([^"]*)"')


def parse_query(raw: str | None) -> ParsedQuery:
    """Read what a reader typed: words (the last one as a prefix), "phrases" and -exclusions.

    Everything else, FTS syntax included (NEAR, *, ^, :, parentheses), is plain text.
    """
    raw = raw or ""
    shortened = len(raw) > MAX_QUERY_LENGTH
    raw = raw[:MAX_QUERY_LENGTH]
    terms: list[Term] = []
    excluded: list[Term] = []
    for phrase in QUOTED.findall(raw):
        words = tuple(fold(phrase).split())
        if words:
            terms.append(Term(words))
    rest = QUOTED.sub(" ", raw)
    typing = bool(rest) and not rest[-1].isspace() and not raw.endswith('"')
    pieces = rest.split()
    for index, piece in enumerate(pieces):
        negative = piece.startswith("-") and len(piece) > 1
        words = tuple(fold(piece).split())
        if not words:
            continue
        last = index == len(pieces) - 1
        prefix = typing and last and not negative and len(words[-1]) >= MIN_PREFIX
        (excluded if negative else terms).append(Term(words, prefix=prefix))
    if len(terms) + len(excluded) > MAX_TERMS:
        shortened = True
        terms, excluded = terms[:MAX_TERMS], excluded[: max(0, MAX_TERMS - len(terms))]
    if not terms:
        excluded = []  # "-word" alone would match nearly everything; ask for a word instead
    return ParsedQuery(terms=terms, excluded=excluded, shortened=shortened)


def fts5_expression(query: ParsedQuery) -> str:
    """Return an FTS5 MATCH expression; every word is quoted, so no syntax gets through."""

    def one(term: Term) -> str:
        return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")

    expression = " AND ".join(one(term) for term in query.terms)
    if query.excluded:
        expression = f"({expression}) NOT ({' OR '.join(one(t) for t in query.excluded)})"
    return expression


def tsquery_expression(query: ParsedQuery, *, weights: str = "") -> str:
    """Return a to_tsquery('simple', ...) text: words joined by &, phrases by <->.

    weights ("A": titles only) restricts every word to the parts of the document indexed
    with those weights.
    """

    def one(term: Term) -> str:
        words = list(term.words)
        words[-1] += ":*" + weights if term.prefix else (":" + weights if weights else "")
        if weights:
            words[:-1] = [f"{word}:{weights}" for word in words[:-1]]
        return "(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0]

    parts = [one(term) for term in query.terms]
    parts += ["!" + one(term) for term in query.excluded]
    return " & ".join(parts)


def highlight(text: str | None, query: ParsedQuery, *, width: int = 32) -> Markup:
    """Return an escaped excerpt of text around its first match, matches in <mark>."""
    if not text:
        return Markup("")
    tokens = list(WORD.finditer(text))
    hits = [i for i, token in enumerate(tokens) if _matches(token.group(), query)]
    first = hits[0] if hits else 0
    start = max(0, first - width // 3)
    end = min(len(tokens), start + width)
    if not tokens:
        return escape(text[:200])
    begin_at = tokens[start].start() if start else 0
    end_at = tokens[end - 1].end() if end < len(tokens) else len(text)
    pieces: list[str | Markup] = ["… "] if start else []
    cursor = begin_at
    for token in tokens[start:end]:
        if token.start() >= end_at:
            break
        if _matches(token.group(), query):
            pieces.append(escape(text[cursor : token.start()]))
            pieces.append(Markup("<mark>%s</mark>") % token.group())
            cursor = token.end()
    pieces.append(escape(text[cursor:end_at]))
    if end < len(tokens):
        pieces.append(" …")
    return Markup("").join(pieces)


def _matches(word: str, query: ParsedQuery) -> bool:
    folded = fold(word).split()
    return any(term.matches(part) for term in query.terms for part in folded)
