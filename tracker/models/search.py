"""The search index: one document per searchable public record, with its filter values.

The full-text part lives beside this table and is not described here, because it differs by
database: an FTS5 table `search_fts` (rowid = document id) on SQLite, a `search_vector`
tsvector column with a GIN index on PostgreSQL. Migration 0500 creates both kinds.
"""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.models.base import EntityType, enum_type

# Database objects the migrations make that the models above do not describe.
UNMODELLED = frozenset(
    {
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_content",
        "search_fts_docsize",
        "search_fts_config",
        "search_vector",
        "ix_search_document_vector",
    }
)


class SearchDocument(SQLModel, table=True):
    __tablename__ = "search_document"
    __table_args__ = (
        sa.UniqueConstraint("entity_type", "entity_id", name="search_document_entity"),
        # The newest documents of a type, and the span of ids a type covers.
        sa.Index("ix_search_document_type_id", "entity_type", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity_type: EntityType = Field(sa_type=enum_type(EntityType), nullable=False)
    entity_id: int = Field(nullable=False)
    brand_id: int | None = Field(default=None, index=True)
    title: str = Field(sa_type=sa.Text, nullable=False)  # as written, for display
    body: str = Field(sa_type=sa.Text, nullable=False)
    topics: str = Field(default="", max_length=400)  # " climate packaging ", for LIKE
    sector: str | None = Field(default=None, max_length=120)
    country: str | None = Field(default=None, max_length=2)
    year: int | None = Field(default=None, index=True)
    state: str | None = Field(default=None, max_length=40)
    date: dt.date | None = None
