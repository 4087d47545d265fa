"""Balanced scoring: result status and method, synthetic submissions, scoring hash

Submissions record the status of their result (scored, incomplete, unreliable) and the
scoring method it was made with, and whether `flask demo` made them (synthetic: kept
out of every figure meant for real decisions). Questionnaire versions record their
scoring hash (what scoring depends on, not wording), which keys the norm group.
Stored results gain the fields method 2 writes, with the values method 1 implies
(method 1, status scored, no cap, no error), so they keep re-deriving identically.

Revision ID: e5a90c3d7b21
Revises: d3f1a7b2c604
Create Date: 2026-12-04 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a90c3d7b21"
down_revision = "d3f1a7b2c604"
branch_labels = None
depends_on = None

submissions = sa.table(
    "submissions", sa.column("id", sa.Integer), sa.column("result", sa.JSON),
    sa.column("result_status", sa.String), sa.column("scoring_method", sa.Integer),
    sa.column("synthetic", sa.Boolean), sa.column("invitation_id", sa.Integer),
)
versions = sa.table(
    "questionnaire_versions", sa.column("id", sa.Integer), sa.column("snapshot", sa.JSON),
    sa.column("scoring_hash", sa.String),
)
invitations = sa.table(
    "invitations", sa.column("id", sa.Integer), sa.column("applicant_id", sa.Integer)
)
applicants = sa.table("applicants", sa.column("id", sa.Integer), sa.column("email", sa.String))

#: `flask demo` gave every simulated applicant an address at this reserved domain.
SIMULATED_DOMAIN = "%@example.invalid"


def _method_one(result: dict) -> dict:
    trace = result.get("trace", [])
    return {
        **result,
        "method": 1,
        "status": "scored",
        "answered": sum(1 for line in trace if line.get("answered")),
        "item_count": len(trace),
        "overall_error": None,
        "band_cap": None,
        "close_to_line": [],
        "dimensions": [{**entry, "error": None} for entry in result.get("dimensions", [])],
    }


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("scoring_method", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("synthetic", sa.Boolean(), server_default="0",
                                      nullable=False))
    with op.batch_alter_table("questionnaire_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scoring_hash", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    # The scoring hash of every stored version, computed as the app computes it.
    from screening.bank.snapshot import scoring_hash

    for version_id, snapshot in connection.execute(sa.select(versions.c.id, versions.c.snapshot)):
        connection.execute(versions.update().where(versions.c.id == version_id)
                           .values(scoring_hash=scoring_hash(snapshot)))
    for submission_id, result in connection.execute(
        sa.select(submissions.c.id, submissions.c.result).where(submissions.c.result.is_not(None))
    ):
        if not result or "method" in result:
            continue
        connection.execute(submissions.update().where(submissions.c.id == submission_id)
                           .values(result=_method_one(result), result_status="scored",
                                   scoring_method=1))
    simulated = (
        sa.select(invitations.c.id)
        .join(applicants, applicants.c.id == invitations.c.applicant_id)
        .where(applicants.c.email.like(SIMULATED_DOMAIN))
    )
    connection.execute(submissions.update().where(submissions.c.invitation_id.in_(simulated))
                       .values(synthetic=True))

    with op.batch_alter_table("questionnaire_versions", schema=None) as batch_op:
        batch_op.alter_column("scoring_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_questionnaire_versions_scoring_hash"),
                              ["scoring_hash"], unique=False)


def downgrade():
    with op.batch_alter_table("questionnaire_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_versions_scoring_hash"))
        batch_op.drop_column("scoring_hash")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("synthetic")
        batch_op.drop_column("scoring_method")
        batch_op.drop_column("result_status")
