"""ATS connections and their requests: the Greenhouse Assessment Partner integration

`ats_connections` holds each applicant-tracking system allowed to send our tests (the
hash of its API key, the positions it may use); `ats_requests` each test it sent, with
the invitation made and the completion callback owed.

Revision ID: e3e0c0de0023
Revises: e1e0c0de0021
Create Date: 2026-12-04 15:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3e0c0de0023"
down_revision = "e1e0c0de0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ats_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_salt", sa.String(length=64), nullable=False),
        sa.Column("all_positions", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_ats_connections_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ats_connections")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_ats_connections_key_hash")),
    )
    op.create_table(
        "ats_connection_positions",
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["ats_connections.id"], ondelete="CASCADE",
            name=op.f("fk_ats_connection_positions_connection_id_ats_connections")),
        sa.ForeignKeyConstraint(
            ["position_id"], ["positions.id"], ondelete="CASCADE",
            name=op.f("fk_ats_connection_positions_position_id_positions")),
        sa.PrimaryKeyConstraint("connection_id", "position_id",
                                name=op.f("pk_ats_connection_positions")),
    )
    op.create_table(
        "ats_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("partner_test_id", sa.String(length=64), nullable=False),
        sa.Column("callback_url", sa.Text(), nullable=False),
        sa.Column("callback_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("callback_attempts", sa.Integer(), nullable=False),
        sa.Column("callback_last_status", sa.Integer(), nullable=True),
        sa.Column("callback_last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["connection_id"], ["ats_connections.id"],
                                name=op.f("fk_ats_requests_connection_id_ats_connections")),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitations.id"],
                                name=op.f("fk_ats_requests_invitation_id_invitations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ats_requests")),
        sa.UniqueConstraint("public_id", name=op.f("uq_ats_requests_public_id")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_ats_requests_invitation_id")),
        sa.UniqueConstraint("connection_id", "callback_key",
                            name=op.f("uq_ats_requests_connection_id")),
    )
    op.create_index(op.f("ix_ats_requests_connection_id"), "ats_requests", ["connection_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ats_requests_connection_id"), table_name="ats_requests")
    op.drop_table("ats_requests")
    op.drop_table("ats_connection_positions")
    op.drop_table("ats_connections")
