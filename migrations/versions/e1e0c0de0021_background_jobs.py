"""Background jobs: the outbox a task queue carries to workers

`jobs` holds every unit of background work (summary pre-rendering, webhook deliveries,
ATS callbacks ...), added in the transaction of the change that causes it; its status,
attempts and back-off make retries and the admins' dead-letter list.

Revision ID: e1e0c0de0021
Revises: f2e0c0de0012
Create Date: 2026-12-04 15:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1e0c0de0021"
down_revision = "f2e0c0de0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.Enum("pending", "running", "done", "dead", name="jobstatus",
                                    native_enum=False, length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    op.create_index("ix_jobs_status_next_attempt_at", "jobs", ["status", "next_attempt_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_jobs_status_next_attempt_at", table_name="jobs")
    op.drop_table("jobs")
