"""A position's prepared ZIP of summaries, kept in the report cache

`report_cache.position_id`: set on the one row per position and kind that holds the ZIP a
worker prepared for the manager (services.position_zips); such a row has no submission.
Deleted with the position, and by the erasure or purge of any of its applicants.

Revision ID: d9e0c0de0025
Revises: e5e0c0de0026
Create Date: 2026-12-04 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d9e0c0de0025"
down_revision = "e5e0c0de0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_cache", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_report_cache_position_id"), ["position_id"],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_report_cache_position_id_positions"),
                                    "positions", ["position_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    # The prepared ZIPs hold personal data and mean nothing without their position.
    op.execute("DELETE FROM report_cache WHERE position_id IS NOT NULL")
    with op.batch_alter_table("report_cache", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_cache_position_id_positions"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_report_cache_position_id"))
        batch_op.drop_column("position_id")
