"""Conversations, feedback, tickets and triaged requests in one SQL database, redacted.

SQLAlchemy Core over SQLite under the data dir by default, or PostgreSQL through
``MENTOR_DATABASE_URL``; the schema is managed by Alembic (``assistant/migrations``) and
brought up to date when the storage opens. Every text is redacted here, on the way in, so
no caller can store personal data by forgetting to. A conversation belongs to one user:
asking for someone else's conversation behaves exactly like asking for an unknown one, so
ids cannot be probed.
"""

from __future__ import annotations

import json
import time
import uuid
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from assistant.privacy import redact
from assistant.settings import Settings
from assistant.types import Turn

# Messages (user and assistant) fed back to the condensation of a follow-up question.
HISTORY_MESSAGES = 6
SECONDS_PER_DAY = 86_400
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The tables as the code reads them; their history is in assistant/migrations.
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
)
_FILTERABLE = {
    "category": tickets.c.category,
    "entity": tickets.c.entity,
    "urgency": tickets.c.urgency,
    "status": tickets.c.status,
}


@dataclass(frozen=True, slots=True)
class Conversation:
    conversation_id: str
    history: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class Purged:
    conversations: int
    messages: int
    feedback: int
    requests: int = 0


@dataclass(frozen=True, slots=True)
class Exchange:
    """One of the user's answers with the conversation that led to it."""

    conversation_id: str
    question: str
    refused: str | None
    turns: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class Ticket:
    number: int
    user_id: str
    session_id: str | None
    question: str
    conversation: tuple[Turn, ...]
    sources: tuple[Mapping[str, str | None], ...]
    reason: str | None
    status: str
    created: float
    category: str | None = None
    entity: str | None = None
    urgency: str | None = None
    # The triage as the desk's API shows it (JSON), once done.
    triage: Mapping[str, Any] | None = None

    @property
    def reference(self) -> str:
        return ticket_reference(self.number)


def ticket_reference(number: int) -> str:
    return f"MA-{number:06d}"


@dataclass(frozen=True, slots=True)
class TicketFilter:
    category: str | None = None
    entity: str | None = None
    urgency: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class GapQuestion:
    """A learner question the knowledge base did not serve: refused, or rated down."""

    text: str
    refused: str | None
    thumbs_down: bool
    created: float


# Refusals that say something about the knowledge base (not an empty or hostile message,
# nor a graded answer the assistant withholds on purpose).
GAP_REFUSALS = ("no_evidence", "out_of_scope")


@dataclass(frozen=True, slots=True)
class TriagedRequest:
    """A request the desk received, kept to find the ones on the same problem."""

    request_id: str
    category: str
    summary: str
    vector: tuple[float, ...]
    created: float


class Storage:
    """``target``: a SQLite file, or a database URL (``sqlite:///…``, ``postgresql://…``)."""

    def __init__(self, target: Path | str) -> None:
        self._engine = _engine(target)
        _migrate(self._engine)

    @classmethod
    def for_settings(cls, settings: Settings) -> Storage:
        return cls(settings.service.database_url or settings.assistant_db_path)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def conversation(self, conversation_id: str | None, user_id: str) -> Conversation:
        """The user's conversation with its recent history, or a fresh one."""
        if conversation_id is None:
            return Conversation(uuid.uuid4().hex, ())
        with self._engine.connect() as db:
            owned = db.execute(
                sa.select(conversations.c.id).where(
                    conversations.c.id == conversation_id, conversations.c.user_id == user_id
                )
            ).first()
            if not owned:
                return Conversation(uuid.uuid4().hex, ())
            rows = db.execute(
                sa.select(messages.c.role, messages.c.content)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.id.desc())
                .limit(HISTORY_MESSAGES)
            ).all()
        return Conversation(conversation_id, tuple(Turn(role, text) for role, text in rows[::-1]))

    def record_exchange(
        self,
        conversation_id: str,
        user_id: str,
        question: str,
        answer: str,
        refused: str | None,
    ) -> str:
        """Store the question and its answer; returns the answer id that feedback refers to."""
        answer_id = uuid.uuid4().hex
        now = time.time()
        with self._engine.begin() as db:
            db.execute(
                self._insert(conversations)
                .values(id=conversation_id, user_id=user_id, created=now)
                .on_conflict_do_nothing(index_elements=["id"])
            )
            # Two statements, in order: the question's id is below its answer's.
            for role, content, answer_key, reason in (
                ("user", redact(question), None, None),
                ("assistant", redact(answer), answer_id, refused),
            ):
                db.execute(
                    messages.insert().values(
                        conversation_id=conversation_id,
                        role=role,
                        content=content,
                        answer_id=answer_key,
                        refused=reason,
                        created=now,
                    )
                )
        return answer_id

    def add_feedback(
        self,
        answer_id: str,
        user_id: str,
        rating: Literal["up", "down"],
        comment: str | None,
    ) -> bool:
        """Rate one of the user's own answers (a second rating replaces the first).

        False when the answer is unknown, purged or someone else's.
        """
        with self._engine.begin() as db:
            if not _owns(db, answer_id, user_id):
                return False
            insert = self._insert(feedback).values(
                answer_id=answer_id,
                user_id=user_id,
                rating=rating,
                comment=redact(comment) if comment else None,
                created=time.time(),
            )
            db.execute(
                insert.on_conflict_do_update(
                    index_elements=["answer_id", "user_id"],
                    set_={
                        "rating": insert.excluded.rating,
                        "comment": insert.excluded.comment,
                        "created": insert.excluded.created,
                    },
                )
            )
        return True

    def exchange(self, answer_id: str, user_id: str) -> Exchange | None:
        """The user's own answer and the conversation up to it; None when unknown, purged or
        someone else's."""
        with self._engine.connect() as db:
            found = db.execute(
                sa.select(messages.c.id, messages.c.conversation_id, messages.c.refused)
                .join(conversations, conversations.c.id == messages.c.conversation_id)
                .where(messages.c.answer_id == answer_id, conversations.c.user_id == user_id)
            ).first()
            if not found:
                return None
            message_id, conversation_id, refused = found
            rows = db.execute(
                sa.select(messages.c.role, messages.c.content)
                .where(messages.c.conversation_id == conversation_id, messages.c.id <= message_id)
                .order_by(messages.c.id)
            ).all()
        turns = tuple(Turn(role, content) for role, content in rows)
        question = next((t.content for t in reversed(turns) if t.role == "user"), "")
        return Exchange(conversation_id, question, refused, turns)

    def create_ticket(
        self,
        user_id: str,
        session_id: str | None,
        question: str,
        conversation: Sequence[Turn],
        sources: Sequence[Mapping[str, str | None]],
        reason: str | None,
    ) -> Ticket:
        now = time.time()
        turns = tuple(Turn(turn.role, redact(turn.content)) for turn in conversation)
        with self._engine.begin() as db:
            number = db.execute(
                tickets.insert()
                .values(
                    user_id=user_id,
                    session_id=session_id,
                    question=redact(question),
                    conversation=json.dumps(
                        [{"role": t.role, "content": t.content} for t in turns], ensure_ascii=False
                    ),
                    sources=json.dumps(list(sources), ensure_ascii=False),
                    reason=reason,
                    status="nouveau",
                    created=now,
                )
                .returning(tickets.c.id)
            ).scalar_one()
        return Ticket(
            number, user_id, session_id, redact(question), turns, tuple(sources), reason,
            "nouveau", now,
        )  # fmt: skip

    def set_ticket_triage(
        self, number: int, category: str, entity: str, urgency: str, triage: Mapping[str, Any]
    ) -> None:
        with self._engine.begin() as db:
            db.execute(
                tickets.update()
                .where(tickets.c.id == number)
                .values(
                    category=category,
                    entity=entity,
                    urgency=urgency,
                    triage=json.dumps(triage, ensure_ascii=False),
                )
            )

    def set_ticket_status(self, number: int, status: str) -> bool:
        with self._engine.begin() as db:
            result = db.execute(
                tickets.update().where(tickets.c.id == number).values(status=status)
            )
        return result.rowcount == 1

    def ticket(self, number: int) -> Ticket | None:
        with self._engine.connect() as db:
            row = db.execute(sa.select(tickets).where(tickets.c.id == number)).first()
        return _ticket(row._mapping) if row else None

    def tickets(self, where: TicketFilter = TicketFilter(), limit: int = 200) -> list[Ticket]:
        query = sa.select(tickets).order_by(tickets.c.id.desc()).limit(limit)
        for name, column in _FILTERABLE.items():
            value = getattr(where, name)
            if value:
                query = query.where(column == value)
        with self._engine.connect() as db:
            rows = db.execute(query).all()
        return [_ticket(row._mapping) for row in rows]

    def ticket_values(self, column: str) -> list[str]:
        """The values a ticket filter can take, from the tickets there are."""
        field = _FILTERABLE[column]
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(field).distinct().where(field.is_not(None)).order_by(field)
            ).all()
        return [value for (value,) in rows]

    def gap_questions(self, since: float) -> list[GapQuestion]:
        answer = messages.alias("answer")
        question = messages.alias("question")
        previous = (
            sa.select(sa.func.max(messages.c.id))
            .where(
                messages.c.conversation_id == answer.c.conversation_id,
                messages.c.id < answer.c.id,
                messages.c.role == "user",
            )
            .scalar_subquery()
        )
        rated_down = sa.exists().where(
            feedback.c.answer_id == answer.c.answer_id, feedback.c.rating == "down"
        )
        query = (
            sa.select(question.c.content, answer.c.refused, rated_down, answer.c.created)
            .select_from(answer)
            .join(question, question.c.id == previous)
            .where(
                answer.c.role == "assistant",
                answer.c.created >= since,
                sa.or_(answer.c.refused.in_(GAP_REFUSALS), rated_down),
            )
            .order_by(answer.c.created, answer.c.id)
        )
        with self._engine.connect() as db:
            rows = db.execute(query).all()
        return [
            GapQuestion(text, refused if refused in GAP_REFUSALS else None, bool(down), created)
            for text, refused, down, created in rows
        ]

    def record_request(
        self, request_id: str, category: str, summary: str, vector: Sequence[float]
    ) -> None:
        """Keep a triaged request (a second triage of the same id replaces the first)."""
        insert = self._insert(triaged_requests).values(
            id=request_id,
            category=category,
            summary=redact(summary),
            vector=array("f", vector).tobytes(),
            created=time.time(),
        )
        with self._engine.begin() as db:
            db.execute(
                insert.on_conflict_do_update(
                    index_elements=["id"],
                    set_={
                        "category": insert.excluded.category,
                        "summary": insert.excluded.summary,
                        "vector": insert.excluded.vector,
                    },
                )
            )

    def recent_requests(self, since: float) -> list[TriagedRequest]:
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(triaged_requests)
                .where(triaged_requests.c.created >= since)
                .order_by(triaged_requests.c.created.desc())
            ).all()
        return [
            TriagedRequest(
                row.id, row.category, row.summary, tuple(array("f", row.vector)), row.created
            )
            for row in rows
        ]

    def purge(self, older_than_days: int) -> Purged:
        """Delete what is older than the retention period."""
        cutoff = time.time() - older_than_days * SECONDS_PER_DAY
        with self._engine.begin() as db:
            purged_messages = db.execute(messages.delete().where(messages.c.created < cutoff))
            purged_feedback = db.execute(feedback.delete().where(feedback.c.created < cutoff))
            emptied = ~sa.exists().where(messages.c.conversation_id == conversations.c.id)
            purged_conversations = db.execute(
                conversations.delete().where(conversations.c.created < cutoff, emptied)
            )
            purged_requests = db.execute(
                triaged_requests.delete().where(triaged_requests.c.created < cutoff)
            )
        return Purged(
            purged_conversations.rowcount,
            purged_messages.rowcount,
            purged_feedback.rowcount,
            purged_requests.rowcount,
        )

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT that can take ON CONFLICT clauses, in this database's dialect."""
        if self._engine.dialect.name == "postgresql":
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


def _engine(target: Path | str) -> Engine:
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


def _migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _owns(db: Connection, answer_id: str, user_id: str) -> bool:
    found = db.execute(
        sa.select(messages.c.id)
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(messages.c.answer_id == answer_id, conversations.c.user_id == user_id)
    ).first()
    return found is not None


def _ticket(row: sa.RowMapping) -> Ticket:
    return Ticket(
        number=row["id"],
        user_id=row["user_id"],
        session_id=row["session_id"],
        question=row["question"],
        conversation=tuple(Turn(t["role"], t["content"]) for t in json.loads(row["conversation"])),
        sources=tuple(json.loads(row["sources"])),
        reason=row["reason"],
        status=row["status"],
        created=row["created"],
        category=row["category"],
        entity=row["entity"],
        urgency=row["urgency"],
        triage=json.loads(row["triage"]) if row["triage"] else None,
    )
