"""Sessions that end, tokens that expire

Users get a session generation: it is part of the id every session holds, so raising
it (sign-out, a new password, disabling, a role change) voids every earlier session.
API tokens get an expiry and the time they were last used. Tokens made before this
revision expire 365 days after the upgrade, so no integration stops without warning.

Revision ID: b2e0c0de0002
Revises: e5a90c3d7b21
Create Date: 2026-12-05 10:00:00.000000

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b2e0c0de0002"
down_revision = "e5a90c3d7b21"
branch_labels = None
depends_on = None

EXISTING_TOKENS_VALID_FOR = timedelta(days=365)

api_tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + EXISTING_TOKENS_VALID_FOR
    if op.get_bind().dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)  # stored as naive UTC there, as the models do
    op.execute(api_tokens.update().values(expires_at=expires))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
