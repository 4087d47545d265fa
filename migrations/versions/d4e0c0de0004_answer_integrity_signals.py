"""Integrity signals on answers: times the page was left, and pastes, per item

Two nullable counts on `answers`, reported by the question page's script while the
item's page was open; NULL means not reported (JavaScript off, or answered before
this revision). Shown to managers with the response-quality information, never scored.

Revision ID: d4e0c0de0004
Revises: c3e0c0de0003
Create Date: 2026-12-04 12:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4e0c0de0004"
down_revision = "d8e0c0de0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_page_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("paste_count", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("paste_count")
        batch_op.drop_column("left_page_count")
