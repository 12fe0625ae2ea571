"""Operational store baseline: the tables ``create_all`` made before migrations (commit 8eda4bb).

Each table (with its indexes) is created only where missing, so a database made by that code is
adopted as it is and stamped here; an empty one gets them all.

Revision ID: operational_0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "operational_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("operational",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "agencies" not in present:
        op.create_table(
            "agencies",
            sa.Column("code", sa.String(length=16), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("host_marker", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("code"),
            sa.UniqueConstraint("host_marker", name="uq_one_host_agency"),
        )
    if "agreement_suspensions" not in present:
        op.create_table(
            "agreement_suspensions",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("agreement_id", sa.String(length=64), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("suspended_by", sa.String(length=64), nullable=False),
            sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("lifted_by", sa.String(length=64), nullable=True),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("agreement_suspensions", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_agreement_suspensions_agreement_id"), ["agreement_id"], unique=False
            )
    if "agreement_versions" not in present:
        op.create_table(
            "agreement_versions",
            sa.Column("agreement_id", sa.String(length=64), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=2000), nullable=False),
            sa.Column("disclosing", sa.String(length=16), nullable=False),
            sa.Column("recipient", sa.String(length=16), nullable=False),
            sa.Column("effective", sa.Date(), nullable=False),
            sa.Column("expires", sa.Date(), nullable=False),
            sa.Column("source_name", sa.String(length=255), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("agreement_id", "version"),
            sa.UniqueConstraint("agreement_id", "sha256", name="uq_agreement_text"),
        )
        with op.batch_alter_table("agreement_versions", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_agreement_versions_recipient"), ["recipient"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_agreement_versions_sha256"), ["sha256"], unique=False
            )
    if "api_tokens" not in present:
        op.create_table(
            "api_tokens",
            sa.Column("id", sa.String(length=16), nullable=False),
            sa.Column("user_id", sa.String(length=64), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("label", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.String(length=64), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("revoked_by", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("api_tokens", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)
    if "breach_incidents" not in present:
        op.create_table(
            "breach_incidents",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("category", sa.String(length=32), nullable=False),
            sa.Column("summary", sa.Text(), nullable=True),
            sa.Column("reported_by", sa.String(length=64), nullable=False),
            sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("scope", sa.JSON(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("reported_to", sa.String(length=64), nullable=True),
            sa.Column("cisa_reference", sa.String(length=64), nullable=True),
            sa.Column("contained_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("affected_people", sa.Integer(), nullable=True),
            sa.Column("report_sha256", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("breach_incidents", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_breach_incidents_opened_at"), ["opened_at"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_breach_incidents_status"), ["status"], unique=False
            )
    if "breach_steps" not in present:
        op.create_table(
            "breach_steps",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("incident_id", sa.String(length=32), nullable=False),
            sa.Column("step", sa.String(length=16), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("by", sa.String(length=64), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("audit_sequence", sa.BigInteger(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("breach_steps", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_breach_steps_incident_id"), ["incident_id"], unique=False
            )
    if "data_key_rings" not in present:
        op.create_table(
            "data_key_rings",
            sa.Column("ring_id", sa.String(length=32), nullable=False),
            sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("ring_id"),
        )
    if "jobs" not in present:
        op.create_table(
            "jobs",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("inputs", sa.JSON(), nullable=False),
            sa.Column("outputs", sa.JSON(), nullable=False),
            sa.Column("counts", sa.JSON(), nullable=False),
            sa.Column("error_code", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("jobs", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_jobs_kind"), ["kind"], unique=False)
    if "onward_use_notices" not in present:
        op.create_table(
            "onward_use_notices",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("agreement_id", sa.String(length=64), nullable=False),
            sa.Column("purpose", sa.String(length=64), nullable=False),
            sa.Column("description", sa.Text(), nullable=False),
            sa.Column("filed_by", sa.String(length=64), nullable=False),
            sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("decided_by", sa.String(length=64), nullable=True),
            sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("decision_note", sa.Text(), nullable=True),
            sa.Column("sequence", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("agreement_id", "sequence", name="uq_notice_sequence"),
        )
        with op.batch_alter_table("onward_use_notices", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_onward_use_notices_agreement_id"), ["agreement_id"], unique=False
            )
    if "review_items" not in present:
        op.create_table(
            "review_items",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("job_id", sa.String(length=32), nullable=False),
            sa.Column("agreement_id", sa.String(length=64), nullable=False),
            sa.Column("request_id", sa.String(length=200), nullable=False),
            sa.Column("person_id", sa.String(length=64), nullable=True),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("key_version", sa.Integer(), nullable=False),
            sa.Column("ssn_sealed", sa.LargeBinary(), nullable=True),
            sa.Column("ssn_lookup", sa.String(length=64), nullable=True),
            sa.Column("a_number_sealed", sa.LargeBinary(), nullable=True),
            sa.Column("a_number_lookup", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("review_items", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_review_items_a_number_lookup"), ["a_number_lookup"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_review_items_agreement_id"), ["agreement_id"], unique=False
            )
            batch_op.create_index(batch_op.f("ix_review_items_job_id"), ["job_id"], unique=False)
            batch_op.create_index(
                batch_op.f("ix_review_items_key_version"), ["key_version"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_review_items_ssn_lookup"), ["ssn_lookup"], unique=False
            )
    if "submissions" not in present:
        op.create_table(
            "submissions",
            sa.Column("job_id", sa.String(length=32), nullable=False),
            sa.Column("agreement_id", sa.String(length=64), nullable=False),
            sa.Column("agreement_version", sa.Integer(), nullable=True),
            sa.Column("purpose", sa.String(length=64), nullable=False),
            sa.Column("dry_run", sa.Boolean(), nullable=False),
            sa.Column("status", sa.String(length=32), nullable=False),
            sa.Column("code", sa.String(length=64), nullable=True),
            sa.Column("message", sa.Text(), nullable=True),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("month", sa.String(length=7), nullable=False),
            sa.Column("source_name", sa.String(length=255), nullable=False),
            sa.Column("size_bytes", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=True),
            sa.Column("active_digest", sa.String(length=64), nullable=True),
            sa.Column("stored_path", sa.Text(), nullable=True),
            sa.Column("format", sa.String(length=16), nullable=True),
            sa.Column("records", sa.Integer(), nullable=True),
            sa.Column("duplicate_of", sa.String(length=32), nullable=True),
            sa.Column("counts", sa.JSON(), nullable=False),
            sa.Column("report", sa.JSON(), nullable=False),
            sa.Column("package_id", sa.String(length=36), nullable=True),
            sa.Column("package_sha256", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("job_id"),
            sa.UniqueConstraint("agreement_id", "active_digest", name="uq_active_digest"),
        )
        with op.batch_alter_table("submissions", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_submissions_agreement_id"), ["agreement_id"], unique=False
            )
            batch_op.create_index(batch_op.f("ix_submissions_month"), ["month"], unique=False)
            batch_op.create_index(batch_op.f("ix_submissions_sha256"), ["sha256"], unique=False)
            batch_op.create_index(batch_op.f("ix_submissions_status"), ["status"], unique=False)
    if "users" not in present:
        op.create_table(
            "users",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("agency", sa.String(length=16), nullable=False),
            sa.Column("roles", sa.JSON(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.String(length=64), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("revoked_by", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("users", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_users_agency"), ["agency"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_agency"))

    op.drop_table("users")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_status"))
        batch_op.drop_index(batch_op.f("ix_submissions_sha256"))
        batch_op.drop_index(batch_op.f("ix_submissions_month"))
        batch_op.drop_index(batch_op.f("ix_submissions_agreement_id"))

    op.drop_table("submissions")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_ssn_lookup"))
        batch_op.drop_index(batch_op.f("ix_review_items_key_version"))
        batch_op.drop_index(batch_op.f("ix_review_items_job_id"))
        batch_op.drop_index(batch_op.f("ix_review_items_agreement_id"))
        batch_op.drop_index(batch_op.f("ix_review_items_a_number_lookup"))

    op.drop_table("review_items")
    with op.batch_alter_table("onward_use_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onward_use_notices_agreement_id"))

    op.drop_table("onward_use_notices")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_kind"))

    op.drop_table("jobs")
    op.drop_table("data_key_rings")
    with op.batch_alter_table("breach_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_steps_incident_id"))

    op.drop_table("breach_steps")
    with op.batch_alter_table("breach_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_incidents_status"))
        batch_op.drop_index(batch_op.f("ix_breach_incidents_opened_at"))

    op.drop_table("breach_incidents")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("agreement_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_versions_sha256"))
        batch_op.drop_index(batch_op.f("ix_agreement_versions_recipient"))

    op.drop_table("agreement_versions")
    with op.batch_alter_table("agreement_suspensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_suspensions_agreement_id"))

    op.drop_table("agreement_suspensions")
    op.drop_table("agencies")
