"""Outbox status index; search columns refolded for letters with drawn-in marks

`ix_outgoing_emails_status_next_attempt_at`: the relay looks for due messages every
minute and every admin page counts the problem ones; both read by status, and sent
messages only accumulate.

screening.folding now spells letters whose mark Unicode does not decompose (Ł, Đ, Ø,
Æ, Œ, Þ, Ħ ...) plain, so "lukasz" finds "Łukasz". The stored folded columns of
applicants whose name or email holds such a letter are written again with the new rule.
`open_link_email` keeps its old folding: rewriting it could make two earlier attempts
collide on the unique key, and the sign-up finds a used email through `search_email`
first anyway.

Revision ID: e5e0c0de0026
Revises: c5e0c0de0020
Create Date: 2026-12-04 16:40:00.000000

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5e0c0de0026"
down_revision = "c5e0c0de0020"
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

_DRAWN_IN = str.maketrans({
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o",
    "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "ı": "i", "Æ": "AE", "æ": "ae",
    "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th",
})


def _folded(text: str) -> str:
    """screening.folding.folded as of this revision (a migration keeps its own copy)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_DRAWN_IN))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare)


def _has_drawn_in(text: str | None) -> bool:
    return bool(text) and any(char in _DRAWN_IN for char in map(ord, text.casefold()))


def upgrade() -> None:
    op.create_index("ix_outgoing_emails_status_next_attempt_at", "outgoing_emails",
                    ["status", "next_attempt_at"], unique=False)
    connection = op.get_bind()
    stored = connection.execute(sa.select(applicants.c.id, applicants.c.name,
                                          applicants.c.email)).all()
    changed = [
        {"applicant_id": applicant_id, "folded_name": _folded(name or ""),
         "folded_email": _folded(email or "")}
        for applicant_id, name, email in stored
        if _has_drawn_in(name) or _has_drawn_in(email)
    ]
    if changed:
        connection.execute(
            applicants.update().where(applicants.c.id == sa.bindparam("applicant_id"))
            .values(search_name=sa.bindparam("folded_name"),
                    search_email=sa.bindparam("folded_email")),
            changed)


def downgrade() -> None:
    # The refolded search columns stay: the older rule never matched them anyway.
    op.drop_index("ix_outgoing_emails_status_next_attempt_at", table_name="outgoing_emails")
