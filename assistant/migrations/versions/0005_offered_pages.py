"""The pages a refusal offered to look at (their titles, one a line), none otherwise.

Revision ID: 0005
Revises: 0004

A refusal close to the hedge level offers the pages it would have cited. In the desk's gap
report, a topic whose refusals keep offering the same page is one that page answers in other
words than the learners': its wording to widen, rather than an entry to write. Answers
stored before this revision have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.add_column(sa.Column("offered", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.drop_column("offered")
