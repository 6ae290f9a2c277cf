"""The tables as the code reads them, and the engine that reaches them.

SQLAlchemy Core over SQLite under the data dir by default, or PostgreSQL through
``MENTOR_DATABASE_URL``. The schema's history is in ``assistant/migrations`` (Alembic, a
frozen snapshot per revision); the database is brought up to date when the storage opens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

metadata = sa.MetaData()
conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "conversation_id",
        sa.Text,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("answer_id", sa.Text, unique=True),
    sa.Column("refused", sa.Text),
    # "high", "low" (a hedged answer; assistant/types.Confidence), none for a refusal (0004).
    sa.Column("confidence", sa.Text),
    # The titles of the pages a refusal offered to look at, one a line (0005).
    sa.Column("offered", sa.Text),
    sa.Column("created", sa.Float, nullable=False),
)
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("answer_id", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("rating", sa.Text, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("created", sa.Float, nullable=False),
)
triaged_requests = sa.Table(
    "triaged_requests",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("session_id", sa.Text),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("conversation", sa.Text, nullable=False),
    sa.Column("sources", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="nouveau"),
    sa.Column("category", sa.Text),
    sa.Column("entity", sa.Text),
    sa.Column("urgency", sa.Text),
    sa.Column("triage", sa.Text),
    sa.Column("created", sa.Float, nullable=False),
    # Unique (migration 0003): one ticket per answer, however often it is asked for.
    sa.Column("answer_id", sa.Text),
)

lti_platforms = sa.Table(
    "lti_platforms",
    metadata,
    sa.Column("issuer", sa.Text, primary_key=True),
    sa.Column("client_id", sa.Text, primary_key=True),
    sa.Column("auth_login_url", sa.Text, nullable=False),
    sa.Column("jwks_url", sa.Text, nullable=False),
    sa.Column("token_url", sa.Text),
    sa.Column("created", sa.Float, nullable=False),
)
lti_deployments = sa.Table(
    "lti_deployments",
    metadata,
    sa.Column("issuer", sa.Text, primary_key=True),
    sa.Column("client_id", sa.Text, primary_key=True),
    sa.Column("deployment_id", sa.Text, primary_key=True),
)
lti_nonces = sa.Table(
    "lti_nonces",
    metadata,
    sa.Column("issuer", sa.Text, primary_key=True),
    sa.Column("nonce", sa.Text, primary_key=True),
    sa.Column("expires", sa.Float, nullable=False),
)


def upsert(engine: Engine, table: sa.Table) -> Any:
    """An INSERT that can take ON CONFLICT clauses, in this database's dialect."""
    if engine.dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


def database_url(target: Path | str) -> str:
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{target}"
    # psycopg 3 is the driver shipped; a plain postgresql:// URL would ask for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if target.startswith(prefix):
            return "postgresql+psycopg://" + target.removeprefix(prefix)
    return target


def open_engine(target: Path | str) -> Engine:
    url = database_url(target)
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name != "postgresql":
        raise ValueError(f"base de données non prise en charge : {engine.dialect.name}")
    return engine


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Route handlers and background tasks write from several threads.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
