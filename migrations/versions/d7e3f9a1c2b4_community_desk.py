"""The community manager's desk: the team's hand actions on desk items, the stored times of a
thread's first response and first team reply, the accepted answer of a question, and each
board's response target.

The new thread columns are filled for the threads there are, from their posts, so an upgraded
forum's desk does not list every thread it ever had as unanswered.

Revision ID: d7e3f9a1c2b4
Revises: d8a3c5e1f7b4
Create Date: 2026-12-09 09:12:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e3f9a1c2b4'
down_revision = 'd8a3c5e1f7b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('desk_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('looking_id', sa.Integer(), nullable=True),
    sa.Column('looking_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_action', sa.String(length=16), nullable=True),
    sa.Column('last_actor_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_desk_states_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_desk_states_done_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['last_actor_id'], ['users.id'], name=op.f('fk_desk_states_last_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['looking_id'], ['users.id'], name=op.f('fk_desk_states_looking_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_states')),
    sa.UniqueConstraint('kind', 'subject_id', name='uq_desk_states_item')
    )
    with op.batch_alter_table('desk_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_states_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_states_done_by_id'), ['done_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_states_last_actor_id'), ['last_actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_states_looking_id'), ['looking_id'], unique=False)

    # Plain ADD COLUMNs: no table is rebuilt (threads and boards are referenced by many).
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('team_replied_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('accepted_post_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_threads_first_response', ['first_response_at', 'created_at'], unique=False)
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_hours', sa.Integer(), server_default='24', nullable=False))

    # The threads there are: their first reply by someone else, and by the team (moderators,
    # administrators, the board's own moderators).
    op.execute(
        "UPDATE threads SET first_response_at = (SELECT MIN(posts.created_at) FROM posts "
        "WHERE posts.thread_id = threads.id AND posts.author_id != threads.author_id "
        "AND posts.is_deleted = false)"
    )
    op.execute(
        "UPDATE threads SET team_replied_at = (SELECT MIN(posts.created_at) FROM posts "
        "JOIN users ON users.id = posts.author_id "
        "WHERE posts.thread_id = threads.id AND posts.id != threads.first_post_id "
        "AND posts.is_deleted = false AND (users.role >= 2 OR EXISTS "
        "(SELECT 1 FROM board_moderators WHERE board_moderators.user_id = users.id "
        "AND board_moderators.board_id = threads.board_id)))"
    )


def downgrade():
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_column('response_hours')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_first_response')
        batch_op.drop_column('accepted_post_id')
        batch_op.drop_column('team_replied_at')
        batch_op.drop_column('first_response_at')

    with op.batch_alter_table('desk_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_states_looking_id'))
        batch_op.drop_index(batch_op.f('ix_desk_states_last_actor_id'))
        batch_op.drop_index(batch_op.f('ix_desk_states_done_by_id'))
        batch_op.drop_index(batch_op.f('ix_desk_states_assignee_id'))

    op.drop_table('desk_states')
