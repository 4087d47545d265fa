"""Applicant search columns: name and email without case or accents

Staff search applicants by name (and HR by email too); "maria" must find "María" and
"JOSE" must find "José" on SQLite and PostgreSQL alike. The folded text is stored
beside the name and email (the model keeps it current on every write) and filled in
here for every applicant already stored.

Revision ID: d8e0c0de0008
Revises: c3e0c0de0003
Create Date: 2026-12-04 12:40:00.000000

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d8e0c0de0008"
down_revision = "c3e0c0de0003"
branch_labels = None
depends_on = None

applicants = sa.table(
    "applicants",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String(200)),
    sa.column("email", sa.String(254)),
    sa.column("search_name", sa.Text()),
    sa.column("search_email", sa.Text()),
)


def _folded(text: str) -> str:
    """screening.folding.folded as of this revision: a migration keeps its own copy, so
    what it wrote stays what it meant whatever the application's rule becomes later."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare)


def upgrade():
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_name", sa.Text(), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("search_email", sa.Text(), server_default="",
                                      nullable=False))
    connection = op.get_bind()
    stored = connection.execute(sa.select(applicants.c.id, applicants.c.name,
                                          applicants.c.email)).all()
    if stored:
        connection.execute(
            applicants.update().where(applicants.c.id == sa.bindparam("applicant_id"))
            .values(search_name=sa.bindparam("folded_name"),
                    search_email=sa.bindparam("folded_email")),
            [{"applicant_id": applicant_id, "folded_name": _folded(name or ""),
              "folded_email": _folded(email or "")} for applicant_id, name, email in stored])


def downgrade():
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.drop_column("search_email")
        batch_op.drop_column("search_name")
