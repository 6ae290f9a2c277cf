"""LTI 1.3 platform registrations, their deployments, and used launch nonces.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("issuer", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, primary_key=True),
        sa.Column("auth_login_url", sa.Text, nullable=False),
        sa.Column("jwks_url", sa.Text, nullable=False),
        sa.Column("token_url", sa.Text),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "lti_deployments",
        sa.Column("issuer", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, primary_key=True),
        sa.Column("deployment_id", sa.Text, primary_key=True),
        sa.ForeignKeyConstraint(
            ["issuer", "client_id"],
            ["lti_platforms.issuer", "lti_platforms.client_id"],
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "lti_nonces",
        sa.Column("issuer", sa.Text, primary_key=True),
        sa.Column("nonce", sa.Text, primary_key=True),
        sa.Column("expires", sa.Float, nullable=False),
    )
    op.create_index("lti_nonces_by_expiry", "lti_nonces", ["expires"])


def downgrade() -> None:
    op.drop_table("lti_nonces")
    op.drop_table("lti_deployments")
    op.drop_table("lti_platforms")
