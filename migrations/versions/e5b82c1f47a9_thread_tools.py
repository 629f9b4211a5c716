"""Thread tools: timed and site-wide pins, merged threads, "moved" notices.

``threads.pinned_until`` ends a pin by itself (read against the clock); ``pinned_everywhere``
shows a pinned thread above every board. ``merged_into_id`` says which thread a merged one went
into, so its address redirects. ``thread_move_notices`` are the rows a moved thread leaves in
its old board.

Revision ID: e5b82c1f47a9
Revises: e5f1a7c3b902
Create Date: 2026-12-07 02:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b82c1f47a9'
down_revision = "e5f1a7c3b902"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinned_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pinned_everywhere', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_threads_merged_into_id_threads'), 'threads',
                                    ['merged_into_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_threads_merged_into_id'), ['merged_into_id'],
                              unique=False)
        batch_op.create_index('ix_threads_pinned_everywhere', ['pinned_everywhere'],
                              unique=False)

    op.create_table('thread_move_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_thread_move_notices_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_move_notices_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_move_notices'))
    )
    with op.batch_alter_table('thread_move_notices', schema=None) as batch_op:
        batch_op.create_index('ix_thread_move_notices_board', ['board_id', 'created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_thread_move_notices_thread_id'), ['thread_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('thread_move_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_move_notices_thread_id'))
        batch_op.drop_index('ix_thread_move_notices_board')
    op.drop_table('thread_move_notices')

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_pinned_everywhere')
        batch_op.drop_index(batch_op.f('ix_threads_merged_into_id'))
        batch_op.drop_constraint(batch_op.f('fk_threads_merged_into_id_threads'),
                                 type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('pinned_everywhere')
        batch_op.drop_column('pinned_until')
