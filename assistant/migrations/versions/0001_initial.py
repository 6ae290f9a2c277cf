"""Conversations, messages, feedback, triaged requests and tickets.

Revision ID: 0001
Revises:

Databases written by the sqlite3 storage that came before Alembic already hold the first
three tables, with the same columns: they are kept as they are, and only what is missing
is created.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "conversations" not in existing:
        op.create_table(
            "conversations",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("user_id", sa.Text, nullable=False),
            sa.Column("created", sa.Float, nullable=False),
        )
    if "messages" not in existing:
        op.create_table(
            "messages",
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
            sa.CheckConstraint("role IN ('user', 'assistant')", name="messages_role"),
        )
        op.create_index("messages_by_conversation", "messages", ["conversation_id", "id"])
        op.create_index("messages_by_age", "messages", ["created"])
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("answer_id", sa.Text, primary_key=True),
            sa.Column("user_id", sa.Text, primary_key=True),
            sa.Column("rating", sa.Text, nullable=False),
            sa.Column("comment", sa.Text),
            sa.Column("created", sa.Float, nullable=False),
            sa.CheckConstraint("rating IN ('up', 'down')", name="feedback_rating"),
        )
        op.create_index("feedback_by_age", "feedback", ["created"])
    if "triaged_requests" not in existing:
        op.create_table(
            "triaged_requests",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("category", sa.Text, nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("vector", sa.LargeBinary, nullable=False),
            sa.Column("created", sa.Float, nullable=False),
        )
        op.create_index("triaged_requests_by_age", "triaged_requests", ["created"])
    if "tickets" not in existing:
        op.create_table(
            "tickets",
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
        op.create_index("tickets_by_age", "tickets", ["created"])


def downgrade() -> None:
    for table in ("tickets", "triaged_requests", "feedback", "messages", "conversations"):
        op.drop_table(table)
