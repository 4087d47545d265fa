"""Practitioners' keying panels: the panel, each panellist's single-use link, their ratings

A panel belongs to one questionnaire version; each panellist's link is stored only as a
SHA-256 of its token; each response holds one item's ratings (option id -> 1..5) and an
optional comment.

Revision ID: a1e0c0de0018
Revises: e3e0c0de0023
Create Date: 2026-12-04 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1e0c0de0018"
down_revision = "e3e0c0de0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "keying_panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_keying_panels_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["questionnaire_version_id"], ["questionnaire_versions.id"],
            name=op.f("fk_keying_panels_questionnaire_version_id_questionnaire_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keying_panels")),
    )
    with op.batch_alter_table("keying_panels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_keying_panels_questionnaire_version_id"),
                              ["questionnaire_version_id"], unique=False)
    op.create_table(
        "panellists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["panel_id"], ["keying_panels.id"],
                                name=op.f("fk_panellists_panel_id_keying_panels"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panellists")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_panellists_token_hash")),
    )
    with op.batch_alter_table("panellists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panellists_panel_id"), ["panel_id"], unique=False)
    op.create_table(
        "panel_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panellist_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["panellist_id"], ["panellists.id"],
                                name=op.f("fk_panel_responses_panellist_id_panellists"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_responses")),
        sa.UniqueConstraint("panellist_id", "item_id",
                            name=op.f("uq_panel_responses_panellist_id")),
    )


def downgrade() -> None:
    op.drop_table("panel_responses")
    with op.batch_alter_table("panellists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panellists_panel_id"))
    op.drop_table("panellists")
    with op.batch_alter_table("keying_panels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_keying_panels_questionnaire_version_id"))
    op.drop_table("keying_panels")
