"""The confidence of each answer: ``high``, ``low`` (a hedged answer), none for a refusal.

Revision ID: 0004
Revises: 0003

The desk's gap report lists the hedged answers beside the refused ones: a hedged answer is
one the knowledge base only half serves. Answers stored before this revision have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.add_column(sa.Column("confidence", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.drop_column("confidence")
