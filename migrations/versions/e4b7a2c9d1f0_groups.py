"""Groups: administrators' groups of members, and boards limited to groups.

``groups`` (names unique in any letter case through ``name_key``), ``group_members`` (who is
in which group, when and by whom added) and ``board_groups`` (a board's read and post groups;
``kind`` says which list). Memberships and board limits go with their group, board or member.

Revision ID: e4b7a2c9d1f0
Revises: e5b82c1f47a9
Create Date: 2026-12-07 02:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7a2c9d1f0'
down_revision = "e5b82c1f47a9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_key', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    sa.UniqueConstraint('name_key', name=op.f('uq_groups_name_key'))
    )
    op.create_table('group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_group_members_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_members_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_group_members'))
    )
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_members_user_id'), ['user_id'], unique=False)

    op.create_table('board_groups',
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_groups_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_board_groups_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('board_id', 'group_id', 'kind', name=op.f('pk_board_groups'))
    )
    with op.batch_alter_table('board_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_groups_group_id'), ['group_id'], unique=False)


def downgrade():
    with op.batch_alter_table('board_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_groups_group_id'))

    op.drop_table('board_groups')
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_members_user_id'))

    op.drop_table('group_members')
    op.drop_table('groups')
