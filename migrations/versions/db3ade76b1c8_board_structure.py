"""Board structure: who may start threads, questions boards, archived boards, old slugs.

The new NOT NULL columns get server defaults so existing boards fill in on upgrade: members
start threads, no board is a questions board or archived. ``board_slugs`` keeps the addresses
renamed boards had, so old links redirect.

Revision ID: db3ade76b1c8
Revises: c3a9f5e71d20
Create Date: 2026-12-04 18:08:50.299789

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'db3ade76b1c8'
down_revision = 'c3a9f5e71d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('board_slugs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_slugs_board_id_boards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_slugs')),
    sa.UniqueConstraint('slug', name=op.f('uq_board_slugs_slug'))
    )
    with op.batch_alter_table('board_slugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_slugs_board_id'), ['board_id'], unique=False)

    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_access', sa.String(length=16), nullable=False,
                                      server_default='members'))
        batch_op.add_column(sa.Column('is_questions', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('is_archived', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_column('is_archived')
        batch_op.drop_column('is_questions')
        batch_op.drop_column('thread_access')

    with op.batch_alter_table('board_slugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_slugs_board_id'))

    op.drop_table('board_slugs')
