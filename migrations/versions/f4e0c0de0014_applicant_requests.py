"""Applicants' requests about their result: a review by a person, or an explanation

One row per request, made from the applicant's own link after submitting: its kind,
an optional message, when it is due, and HR's answer once given. The message and the
answer are personal data; erasure overwrites them.

Revision ID: f4e0c0de0014
Revises: d4e0c0de0004
Create Date: 2026-12-04 13:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4e0c0de0014"
down_revision = "d4e0c0de0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicant_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("review", "explanation", name="requestkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_applicant_requests_answered_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_applicant_requests_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant_requests")),
    )
    with op.batch_alter_table("applicant_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applicant_requests_due_at"), ["due_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_applicant_requests_submission_id"),
                              ["submission_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("applicant_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applicant_requests_submission_id"))
        batch_op.drop_index(batch_op.f("ix_applicant_requests_due_at"))
    op.drop_table("applicant_requests")
