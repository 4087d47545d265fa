"""Single sign-on: the provider's identity on each account, and "no role yet"

`users.oidc_issuer` and `users.oidc_subject`: the identity provider's stable pair,
stored at a person's first single sign-on and unique together; the account is found by
it from then on. `users.role` becomes nullable: a person signed in by single sign-on
whom no claim maps to a role waits, with no rights, for an administrator to assign one.
`users.role_from_idp` records that the role came from the provider's claim (so it
follows the claim) rather than from an administrator.

Revision ID: c5e0c0de0020
Revises: b1e0c0de0019
Create Date: 2026-12-04 15:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5e0c0de0020"
down_revision = "b1e0c0de0019"
branch_labels = None
depends_on = None

ROLE = sa.Enum("admin", "hr", "manager", name="role", native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("role", existing_type=ROLE, nullable=True)
        batch_op.add_column(
            sa.Column("role_from_idp", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_oidc_issuer"), ["oidc_issuer", "oidc_subject"]
        )


def downgrade() -> None:
    # A person still waiting for a role has no rights; the lowest role, disabled, keeps that.
    op.execute("UPDATE users SET active = false, role = 'manager' WHERE role IS NULL")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_oidc_issuer"), type_="unique")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
        batch_op.drop_column("role_from_idp")
        batch_op.alter_column("role", existing_type=ROLE, nullable=False)
