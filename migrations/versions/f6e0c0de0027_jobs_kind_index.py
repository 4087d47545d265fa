"""Jobs by kind: an index for the newest job of one kind

The manager's position page asks for the newest `position.zip` job of the position; without
an index it read every job of the last 30 days (mostly summary renders) on each view.

Revision ID: f6e0c0de0027
Revises: d9e0c0de0025
Create Date: 2026-12-04 17:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f6e0c0de0027"
down_revision = "d9e0c0de0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_kind_id", "jobs", ["kind", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_jobs_kind_id", table_name="jobs")
