"""Keeping up: watch levels and reading state per member and thread (and board), reactions
with their counts, bookmarks, grouped notifications, members' defaults for watching.

Thread authors start out watching their threads, as they heard of every reply before.

Revision ID: 655bd263918a
Revises: d7e3f9a1c2b4
Create Date: 2026-12-07 14:05:53.949024

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '655bd263918a'
down_revision = 'd7e3f9a1c2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('board_watches',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('read_all_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_watches_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_watches_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'board_id', name=op.f('pk_board_watches'))
    )
    with op.batch_alter_table('board_watches', schema=None) as batch_op:
        batch_op.create_index('ix_board_watches_board_level', ['board_id', 'level'], unique=False)

    op.create_table('thread_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('last_position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_reads_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thread_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_reads'))
    )
    with op.batch_alter_table('thread_reads', schema=None) as batch_op:
        batch_op.create_index('ix_thread_reads_thread_level', ['thread_id', 'level'], unique=False)

    op.create_table('bookmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_bookmarks_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookmarks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookmarks'))
    )
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.create_index('ix_bookmarks_due', ['reminded_at', 'remind_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookmarks_post_id'), ['post_id'], unique=False)
        batch_op.create_index('uq_bookmarks_user_post', ['user_id', 'post_id'], unique=True)

    op.create_table('reaction_counts',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('n', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('n >= 0', name=op.f('ck_reaction_counts_n_not_negative')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_reaction_counts_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'kind', name=op.f('pk_reaction_counts'))
    )
    op.create_table('reactions',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_reactions_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reactions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'user_id', 'kind', name=op.f('pk_reactions'))
    )
    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.create_index('ix_reactions_user_created', ['user_id', 'created_at'], unique=False)

    # Plain ALTER TABLE (SQLite has it since 3.35): a batch copy of ``users`` would drop the
    # old table, and with it, through ON DELETE CASCADE, the rows that point at it.
    op.add_column('notifications', sa.Column('count', sa.Integer(), server_default='1', nullable=False))
    op.create_index('ix_notifications_grouping', 'notifications', ['kind', 'link', 'read_at'], unique=False)
    op.add_column('users', sa.Column('watch_started', sa.Boolean(), server_default='1', nullable=False))
    op.add_column('users', sa.Column('track_replied', sa.Boolean(), server_default='1', nullable=False))
    op.add_column('users', sa.Column('read_all_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('reactions_received', sa.Integer(), server_default='0', nullable=False))

    # Authors heard of every reply in their threads: they watch them now, read to the end.
    op.execute(
        "INSERT INTO thread_reads (user_id, thread_id, last_position, level, updated_at) "
        "SELECT author_id, id, post_seq, 'watching', created_at FROM threads "
        "WHERE author_id IS NOT NULL AND merged_into_id IS NULL"
    )


def downgrade():
    op.drop_column('users', 'reactions_received')
    op.drop_column('users', 'read_all_at')
    op.drop_column('users', 'track_replied')
    op.drop_column('users', 'watch_started')
    op.drop_index('ix_notifications_grouping', table_name='notifications')
    op.drop_column('notifications', 'count')

    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.drop_index('ix_reactions_user_created')

    op.drop_table('reactions')
    op.drop_table('reaction_counts')
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.drop_index('uq_bookmarks_user_post')
        batch_op.drop_index(batch_op.f('ix_bookmarks_post_id'))
        batch_op.drop_index('ix_bookmarks_due')

    op.drop_table('bookmarks')
    with op.batch_alter_table('thread_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_reads_thread_level')

    op.drop_table('thread_reads')
    with op.batch_alter_table('board_watches', schema=None) as batch_op:
        batch_op.drop_index('ix_board_watches_board_level')

    op.drop_table('board_watches')
