"""Each submission names its questionnaire version's content hash

So an applicant page finds the frozen questionnaire from the submission row alone,
without joining or loading the version (and its ~50 KB snapshot).

Revision ID: b7e2d4c91a15
Revises: 3f9983ac68df
Create Date: 2026-12-04 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2d4c91a15"
down_revision = "3f9983ac68df"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("questionnaire_hash", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE submissions SET questionnaire_hash = (SELECT content_hash FROM "
        "questionnaire_versions WHERE questionnaire_versions.id = "
        "submissions.questionnaire_version_id)"
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.alter_column("questionnaire_hash", existing_type=sa.String(length=64),
                              nullable=False)


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("questionnaire_hash")
