"""Job outcomes of hired applicants, imported by HR to validate the screen locally

One row per submission and date: still employed at 90 days, the supervisor's rating,
a customer-satisfaction score and a complaints count, each optional. Personal data:
erasure and purge delete the rows.

Revision ID: b1e0c0de0019
Revises: e2e0c0de0022
Create Date: 2026-12-04 15:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1e0c0de0019"
down_revision = "e2e0c0de0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("still_employed_90_days", sa.Boolean(), nullable=True),
        sa.Column("supervisor_rating", sa.Integer(), nullable=True),
        sa.Column("customer_satisfaction", sa.Float(), nullable=True),
        sa.Column("complaints", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_job_outcomes_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_outcomes")),
        sa.UniqueConstraint("submission_id", "recorded_on",
                            name=op.f("uq_job_outcomes_submission_id")),
    )


def downgrade() -> None:
    op.drop_table("job_outcomes")
