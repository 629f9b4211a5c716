"""Timed locks, slow mode, moderator notices.

The new NOT NULL columns get server defaults so existing rows fill in on upgrade.

Revision ID: 8c4cca560e08
Revises: 53c241803dcb
Create Date: 2026-11-23 23:18:40.714027

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4cca560e08'
down_revision = '53c241803dcb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_mod_notice', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lock_starts_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lock_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('slow_mode_seconds', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('slow_mode_until', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_column('slow_mode_until')
        batch_op.drop_column('slow_mode_seconds')
        batch_op.drop_column('lock_ends_at')
        batch_op.drop_column('lock_starts_at')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('is_mod_notice')

