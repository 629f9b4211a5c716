"""Macros: a canned response may carry preset actions, a sanction and a reason.

Revision ID: d7e3b1a9c6f2
Revises: e4b9c2d71a35
Create Date: 2026-12-09 10:12:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e3b1a9c6f2'
down_revision = 'e4b9c2d71a35'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs: SQLite needs no rebuild of the table for them.
    with op.batch_alter_table('canned_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actions', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('sanction', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('timeout', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('canned_responses', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('timeout')
        batch_op.drop_column('sanction')
        batch_op.drop_column('actions')
