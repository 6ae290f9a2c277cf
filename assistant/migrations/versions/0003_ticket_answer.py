"""One ticket per answer: the answer a ticket was opened from, unique.

Revision ID: 0003
Revises: 0002

A learner who presses "contact support" twice, or a client that retries, gets the same
ticket back instead of a second one. Tickets opened before this revision have no answer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as table:
        table.add_column(sa.Column("answer_id", sa.Text))
    op.create_index("tickets_by_answer", "tickets", ["answer_id"], unique=True)


def downgrade() -> None:
    op.drop_index("tickets_by_answer", "tickets")
    with op.batch_alter_table("tickets") as table:
        table.drop_column("answer_id")
