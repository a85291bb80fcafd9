"""search filters as FTS5 tags; indexes on the year, and on type and id together

Revision ID: 0510
Revises: 0400
Create Date: 2026-11-28 10:00:00

On SQLite, the full-text table gets a third column, `tags`, holding each document's type and
filter values as words ("typeclaim", "countrynl", "topicclimate"), so that FTS5 intersects a
filter with the reader's words itself: a common word with a rare filter took seconds when
SQL filtered FTS5's matches one by one. It also gets prefix indexes up to 20 letters. The
year index gives the search page its range of years in two lookups instead of scans of
three tables; the index on type and id gives PostgreSQL the span of ids a type covers.
PostgreSQL's tsvector gets the same tags, with weight D.
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0510"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000
TOKENIZER = "tokenize = 'unicode61 remove_diacritics 2'"
# Prefix indexes for every length a typed word is likely to have: without one of its exact
# length, FTS5 merges the lists of every word starting with the prefix before it can return
# a first row (25 ms per statement for a word in every document, 0.3 ms with one).
PREFIXES = " ".join(str(length) for length in range(2, 21))
PREFIXES_BEFORE = "2 3 4"
TAGGED = ("sector", "country", "year", "state")

# Copies of tracker.services.search_text.fold and tracker.services.search.tags (migrations
# never import the app); a test checks that this fill writes what the app's reindex writes.
WORD = re.compile(r"[^\W_]+")
LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)


def fold(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LETTERS))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(WORD.findall(plain))


def tag(name, value):
    return name + "".join(fold(str(value)).split())


def tags(row):
    words = [tag("type", row.entity_type)]
    words += [tag("topic", topic) for topic in (row.topics or "").split()]
    words += [tag(name, getattr(row, name)) for name in TAGGED if getattr(row, name) is not None]
    return " ".join(words)


def upgrade() -> None:
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index("ix_search_document_year", ["year"], unique=False)
        batch_op.drop_index("ix_search_document_entity_type")
        batch_op.create_index("ix_search_document_type_id", ["entity_type", "id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            f"title, body, tags, {TOKENIZER}, prefix = '{PREFIXES}')"
        )
    _fill(with_tags=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            f"title, body, {TOKENIZER}, prefix = '{PREFIXES_BEFORE}')"
        )
    _fill(with_tags=False)
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_type_id")
        batch_op.create_index("ix_search_document_entity_type", ["entity_type"], unique=False)
        batch_op.drop_index("ix_search_document_year")


def _fill(*, with_tags: bool) -> None:
    """Index every document again, a batch at a time, as the app's reindex would."""
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        columns = "rowid, title, body, tags" if with_tags else "rowid, title, body"
        values = ":id, :title, :body, :tags" if with_tags else ":id, :title, :body"
        write = sa.text(f"INSERT INTO search_fts ({columns}) VALUES ({values})")
    else:
        tagged = " || setweight(to_tsvector('simple', :tags), 'D')" if with_tags else ""
        write = sa.text(
            "UPDATE search_document SET search_vector ="
            " setweight(to_tsvector('simple', :title), 'A')"
            f" || setweight(to_tsvector('simple', :body), 'B'){tagged} WHERE id = :id"
        )
    select = sa.text(
        "SELECT id, entity_type, title, body, topics, sector, country, year, state"
        " FROM search_document WHERE id > :last ORDER BY id LIMIT :batch"
    )
    last = 0
    while rows := connection.execute(select, {"last": last, "batch": BATCH}).all():
        connection.execute(
            write,
            [
                {"id": row.id, "title": fold(row.title), "body": fold(row.body)}
                | ({"tags": tags(row)} if with_tags else {})
                for row in rows
            ],
        )
        last = rows[-1].id
