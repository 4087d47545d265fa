"""open link idempotency keys

Revision ID: 3f9983ac68df
Revises: 62347ccf7169
Create Date: 2026-12-01 15:21:28.321628

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f9983ac68df"
down_revision = "62347ccf7169"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "open_link_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_open_link_posts_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_link_posts")),
        sa.UniqueConstraint("key", name=op.f("uq_open_link_posts_key")),
    )
    with op.batch_alter_table("open_link_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_open_link_posts_invitation_id"), ["invitation_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("open_link_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open_link_posts_invitation_id"))
    op.drop_table("open_link_posts")
