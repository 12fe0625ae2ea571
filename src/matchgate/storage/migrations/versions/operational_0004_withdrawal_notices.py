"""Withdrawal notices: one row per earlier recipient told that a record it received was withdrawn.

Revision ID: operational_0004
Revises: operational_0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "operational_0004"
down_revision: str | Sequence[str] | None = "operational_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "withdrawal_notices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("withdrawal_entry", sa.BigInteger(), nullable=False),
        sa.Column("disclosing", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=True),
        sa.Column("received", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_entry", sa.BigInteger(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_entry", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("withdrawal_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_withdrawal_notices_withdrawal_entry"), ["withdrawal_entry"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_withdrawal_notices_recipient"), ["recipient"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("withdrawal_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_withdrawal_notices_recipient"))
        batch_op.drop_index(batch_op.f("ix_withdrawal_notices_withdrawal_entry"))
    op.drop_table("withdrawal_notices")
