"""Adjustments: the request and the grant on invitations, the one sat with on submissions

The request (needs as codes, optional words, when) and the grant (an
screening.adjustments.Adjustment code, by whom, when) live on `invitations`;
`submissions.adjustment` records the adjustment the result was obtained with.

Revision ID: f1e0c0de0011
Revises: d4e0c0de0004
Create Date: 2026-12-04 13:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1e0c0de0011"
down_revision = "f4e0c0de0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjustment_requested_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("adjustment_needs", sa.String(length=200),
                                      server_default="", nullable=False))
        batch_op.add_column(sa.Column("adjustment_details", sa.Text(), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("adjustment", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("adjustment_granted_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("adjustment_granted_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invitations_adjustment_granted_by_id_users"), "users",
            ["adjustment_granted_by_id"], ["id"])
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjustment", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("adjustment")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_invitations_adjustment_granted_by_id_users"), type_="foreignkey")
        batch_op.drop_column("adjustment_granted_at")
        batch_op.drop_column("adjustment_granted_by_id")
        batch_op.drop_column("adjustment")
        batch_op.drop_column("adjustment_details")
        batch_op.drop_column("adjustment_needs")
        batch_op.drop_column("adjustment_requested_at")
