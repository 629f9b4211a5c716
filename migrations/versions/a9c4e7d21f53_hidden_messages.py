"""A private message a moderator removed from a report: when (who and why are in the log).

Revision ID: a9c4e7d21f53
Revises: 655bd263918a
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c4e7d21f53'
down_revision = '655bd263918a'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: reported messages point at this table, so it is not rebuilt.
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # SQLite drops a column in place (3.35 and later); a batch rebuild would take the
    # reported messages' rows with the table.
    op.drop_column('messages', 'hidden_at')
