"""search index: documents, FTS5 on SQLite, tsvector with GIN on PostgreSQL; backfilled

Revision ID: 0500
Revises: 0201
Create Date: 2026-11-27 11:40:00
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0500"
down_revision: str | None = "0201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy of tracker.services.search_text.fold (migrations never import the app); a test
# checks that this backfill writes what the app's own reindex writes.
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


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("topics", sa.String(length=400), nullable=False),
        sa.Column("sector", sa.String(length=120), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=40), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity_type", "entity_id", name="search_document_entity"),
    )
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index("ix_search_document_entity_type", ["entity_type"], unique=False)
        batch_op.create_index("ix_search_document_brand_id", ["brand_id"], unique=False)
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
        )
    else:
        op.add_column("search_document", sa.Column("search_vector", postgresql.TSVECTOR()))
        op.create_index(
            "ix_search_document_vector",
            "search_document",
            ["search_vector"],
            postgresql_using="gin",
        )
    backfill(op.get_bind(), sqlite=sqlite)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.drop_index("ix_search_document_vector", table_name="search_document")
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_brand_id")
        batch_op.drop_index("ix_search_document_entity_type")
    op.drop_table("search_document")


def _join(*parts):
    return "\n".join(part for part in parts if part)


def _topics(names):
    names = sorted(set(names))
    return f" {' '.join(names)} " if names else ""


def backfill(connection, *, sqlite: bool) -> None:
    """Index the published records already in the database, as the app would."""
    meta = sa.MetaData()
    names = ("brand", "claim", "claim_topic", "contradiction", "contradiction_claim", "source")
    tables = {name: sa.Table(name, meta, autoload_with=connection) for name in names}
    brand, claim, contradiction = tables["brand"], tables["claim"], tables["contradiction"]
    source = tables["source"]
    brands = {
        row.id: row
        for row in connection.execute(sa.select(brand).where(brand.c.visibility == "published"))
    }
    claim_topics = {}
    for row in connection.execute(sa.select(tables["claim_topic"])):
        claim_topics.setdefault(row.claim_id, []).append(row.topic)
    published_claims = {}
    for row in connection.execute(sa.select(claim).where(claim.c.visibility == "published")):
        published_claims[row.id] = row
    brand_topics = {}
    for row in published_claims.values():
        brand_topics.setdefault(row.brand_id, []).extend(claim_topics.get(row.id, []))
    links = {}
    for row in connection.execute(sa.select(tables["contradiction_claim"])):
        links.setdefault(row.contradiction_id, []).append(row.claim_id)

    def common(kind, row, owner):
        date = getattr(row, "date", None)
        return {
            "entity_type": kind,
            "entity_id": row.id,
            "brand_id": owner.id if owner is not None else None,
            "sector": owner.sector if owner is not None else None,
            "country": owner.country if owner is not None else None,
            "date": date,
            "year": date.year if date else None,
            "state": None,
            "topics": "",
        }

    documents = []
    for row in brands.values():
        documents.append(
            common("brand", row, row)
            | {
                "title": row.name,
                "body": _join(
                    ", ".join(row.aliases or []),
                    row.legal_name,
                    row.parent_company,
                    row.sector,
                    row.description,
                ),
                "topics": _topics(brand_topics.get(row.id, [])),
            }
        )
    for row in published_claims.values():
        owner = brands.get(row.brand_id)
        if owner is None:
            continue
        documents.append(
            common("claim", row, owner)
            | {
                "title": row.quote or row.summary or "",
                "body": _join(
                    row.summary if row.quote else None,
                    row.translation,
                    row.speaker,
                    row.where,
                    owner.name,
                ),
                "state": row.status,
                "topics": _topics(claim_topics.get(row.id, [])),
            }
        )
    query = sa.select(contradiction).where(contradiction.c.visibility == "published")
    for row in connection.execute(query):
        owner = brands.get(row.brand_id)
        if owner is None:
            continue
        claims = [c for c in links.get(row.id, []) if c in published_claims]
        documents.append(
            common("contradiction", row, owner)
            | {
                "title": row.title,
                "body": _join(row.summary, row.quote, row.finder_name, owner.name),
                "state": row.state,
                "topics": _topics(t for c in claims for t in claim_topics.get(c, [])),
            }
        )
    for row in connection.execute(sa.select(source).where(source.c.visibility == "published")):
        documents.append(
            common("source", row, None)
            | {
                "title": row.title or row.description or row.url,
                "body": _join(row.description, row.publisher, row.url),
            }
        )
    document_table = sa.Table("search_document", meta, autoload_with=connection)
    for document in documents:
        document_id = connection.execute(
            sa.insert(document_table).values(
                **{k: v for k, v in document.items() if k in document_table.c}
            ).returning(document_table.c.id)
        ).scalar_one()
        folded = {"id": document_id, "title": fold(document["title"]), "body": fold(document["body"])}
        if sqlite:
            connection.execute(
                sa.text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                folded,
            )
        else:
            connection.execute(
                sa.text(
                    "UPDATE search_document SET search_vector ="
                    " setweight(to_tsvector('simple', :title), 'A')"
                    " || setweight(to_tsvector('simple', :body), 'B') WHERE id = :id"
                ),
                folded,
            )
