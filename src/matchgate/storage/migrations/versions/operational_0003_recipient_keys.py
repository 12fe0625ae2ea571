"""Recipient keys registered by the host, and what a submission was matched and sealed with.

Adds the ``recipient_keys`` table (each recipient agency's public keys: current, retired or
revoked) and, on ``submissions``, the master snapshot a submission was matched against, the
registered key its package was sealed to, and the consultation record of a held submission
(who released or refused it, when, what was agreed, under which agreement version). Older rows
keep NULL in the new columns: they were matched against a master file named on the command
line and sealed to a key the submitter gave, which nothing recorded.

Revision ID: operational_0003
Revises: operational_0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "operational_0003"
down_revision: str | Sequence[str] | None = "operational_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _submission_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("master_snapshot_id", sa.String(length=64), nullable=True),
        sa.Column("recipient_key_id", sa.String(length=32), nullable=True),
        sa.Column("consultation_outcome", sa.String(length=16), nullable=True),
        sa.Column("consulted_by", sa.String(length=64), nullable=True),
        sa.Column("consulted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consultation_record", sa.Text(), nullable=True),
        sa.Column("consultation_version", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "recipient_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
    )
    with op.batch_alter_table("recipient_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recipient_keys_agency"), ["agency"], unique=False)
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        for column in _submission_columns():
            batch_op.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        for column in reversed(_submission_columns()):
            batch_op.drop_column(column.name)
    with op.batch_alter_table("recipient_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recipient_keys_agency"))
    op.drop_table("recipient_keys")
