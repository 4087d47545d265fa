"""One attempt per person per position, and retakes a manager allowed

`applicants.open_link_email`: the folded email of an open-link sign-up, unique per
position, so simultaneous sign-ups with one email create one attempt. Existing rows
keep NULL (they may already hold duplicates, which managers now see flagged), and the
sign-up still finds them through `search_email` before inserting.
`attempt_number`, `retake_of_id`, `retake_allowed_by_id`, `retake_allowed_at` and
`retake_reason` record a retake: which attempt it follows, who allowed it, when and why.

Revision ID: f2e0c0de0012
Revises: d4e0c0de0004
Create Date: 2026-12-04 13:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2e0c0de0012"
down_revision = "f1e0c0de0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_link_email", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("attempt_number", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("retake_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retake_allowed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("retake_allowed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("retake_reason", sa.Text(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_applicants_position_id"), ["position_id", "open_link_email"]
        )
        batch_op.create_index(batch_op.f("ix_applicants_retake_of_id"), ["retake_of_id"],
                              unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_applicants_retake_of_id_applicants"), "applicants",
            ["retake_of_id"], ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_applicants_retake_allowed_by_id_users"), "users",
            ["retake_allowed_by_id"], ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_applicants_retake_allowed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_applicants_retake_of_id_applicants"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_applicants_retake_of_id"))
        batch_op.drop_constraint(batch_op.f("uq_applicants_position_id"), type_="unique")
        batch_op.drop_column("retake_reason")
        batch_op.drop_column("retake_allowed_at")
        batch_op.drop_column("retake_allowed_by_id")
        batch_op.drop_column("retake_of_id")
        batch_op.drop_column("attempt_number")
        batch_op.drop_column("open_link_email")
