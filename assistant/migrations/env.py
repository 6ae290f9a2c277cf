"""Alembic environment: the storage hands over its open connection
(``config.attributes["connection"]``); run from the command line, the URL comes from
``MENTOR_DATABASE_URL`` (``alembic -c assistant/migrations/alembic.ini upgrade head``)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from assistant.storage.schema import database_url

connection = context.config.attributes.get("connection")
if connection is None:
    url = os.environ.get("MENTOR_DATABASE_URL") or "sqlite:///data/assistant.sqlite"
    engine = sa.create_engine(database_url(url))
    with engine.begin() as opened:
        context.configure(connection=opened, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    # render_as_batch: SQLite alters tables by copying them; PostgreSQL ignores it.
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
