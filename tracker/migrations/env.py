"""Alembic environment: runs on the connection tracker.migrate hands it."""

from alembic import context
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
from tracker.migrate import include_object

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
