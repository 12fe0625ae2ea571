"""Audit store baseline: the audit tables and the append-only triggers on ``audit_entries``, as
``create_all`` made them before migrations (commit 8eda4bb).

Each table is created only where missing (with its indexes and, for ``audit_entries``, its
triggers), so a store made by that code is adopted as it is and stamped here.

Revision ID: audit_0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "audit_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("audit",)
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
]
POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
]


def _append_only() -> None:
    """The triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of entries."""
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "audit_checkpoints" not in present:
        op.create_table(
            "audit_checkpoints",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("size", sa.BigInteger(), nullable=False),
            sa.Column("line", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_audit_checkpoints_size"), ["size"], unique=False)
    if "audit_entries" not in present:
        op.create_table(
            "audit_entries",
            sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("recorded_at", sa.String(length=32), nullable=False),
            sa.Column("kind", sa.String(length=64), nullable=False),
            sa.Column("actor", sa.String(length=200), nullable=False),
            sa.Column("agency", sa.String(length=200), nullable=True),
            sa.Column("agreement", sa.String(length=200), nullable=True),
            sa.Column("subjects", sa.Text(), nullable=False),
            sa.Column("details", sa.Text(), nullable=False),
            sa.Column("prev_hash", sa.String(length=64), nullable=False),
            sa.Column("entry_hash", sa.String(length=64), nullable=False),
            sa.Column("leaf_hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("sequence"),
        )
        with op.batch_alter_table("audit_entries", schema=None) as batch_op:
            batch_op.create_index("ix_audit_entries_kind", ["kind", "sequence"], unique=False)
            batch_op.create_index(
                batch_op.f("ix_audit_entries_recorded_at"), ["recorded_at"], unique=False
            )
        _append_only()
    if "audit_head" not in present:
        op.create_table(
            "audit_head",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("log_id", sa.String(length=32), nullable=False),
            sa.Column("size", sa.BigInteger(), nullable=False),
            sa.Column("last_hash", sa.String(length=64), nullable=False),
            sa.Column("frontier", sa.Text(), nullable=False),
            sa.Column("checkpointed", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if "audit_subjects" not in present:
        op.create_table(
            "audit_subjects",
            sa.Column("subject", sa.String(length=64), nullable=False),
            sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.PrimaryKeyConstraint("subject", "sequence"),
        )
        with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
            batch_op.create_index("ix_audit_subjects_sequence", ["sequence"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_subjects", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_subjects_sequence")

    op.drop_table("audit_subjects")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_recorded_at"))
        batch_op.drop_index("ix_audit_entries_kind")

    op.drop_table("audit_entries")
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoints_size"))

    op.drop_table("audit_checkpoints")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
