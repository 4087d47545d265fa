"""Item page views (server-side timing) and the kind of a cached report

`item_page_views` records when each item page was last served to an applicant, so the
time on an item is measured by the server alone; `report_cache.kind` tells the
manager's summary ("applicant", every row so far) from the applicant's feedback PDF,
which is now cached too.

Revision ID: c3e0c0de0003
Revises: b2e0c0de0002
Create Date: 2026-12-04 10:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3e0c0de0003"
down_revision = "b2e0c0de0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_page_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"],
            name=op.f("fk_item_page_views_submission_id_submissions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_page_views")),
        sa.UniqueConstraint("submission_id", "item_id",
                            name=op.f("uq_item_page_views_submission_id")),
    )
    with op.batch_alter_table("report_cache", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False,
                                      server_default="applicant"))


def downgrade() -> None:
    with op.batch_alter_table("report_cache", schema=None) as batch_op:
        batch_op.drop_column("kind")
    op.drop_table("item_page_views")
