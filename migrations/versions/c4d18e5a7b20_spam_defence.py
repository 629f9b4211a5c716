"""Spam defence: the ban lists (email domains, email addresses, IP ranges), the addresses
members used (kept for a set number of days), and spammer removals an administrator can undo.

Revision ID: c4d18e5a7b20
Revises: a7c4e2d91f35
Create Date: 2026-12-07 06:09:27.566081

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d18e5a7b20'
down_revision = 'a7c4e2d91f35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_addresses',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_addresses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'address', name=op.f('pk_member_addresses'))
    )
    with op.batch_alter_table('member_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_addresses_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_addresses_last_seen'), ['last_seen'], unique=False)

    op.create_table('spam_removals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('active_key', sa.String(length=40), nullable=True),
    sa.Column('sanction_id', sa.Integer(), nullable=True),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.Column('threads', sa.Integer(), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_spam_removals_actor_id_users')),
    sa.ForeignKeyConstraint(['sanction_id'], ['sanctions.id'], name=op.f('fk_spam_removals_sanction_id_sanctions')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_spam_removals_undone_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_spam_removals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spam_removals')),
    sa.UniqueConstraint('active_key', name=op.f('uq_spam_removals_active_key'))
    )
    with op.batch_alter_table('spam_removals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spam_removals_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spam_removals_user_id'), ['user_id'], unique=False)

    op.create_table('ban_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=320), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removal_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ban_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['removal_id'], ['spam_removals.id'], name=op.f('fk_ban_entries_removal_id_spam_removals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ban_entries')),
    sa.UniqueConstraint('kind', 'value', name='uq_ban_entries_kind_value')
    )
    with op.batch_alter_table('ban_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ban_entries_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ban_entries_removal_id'), ['removal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ban_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ban_entries_removal_id'))
        batch_op.drop_index(batch_op.f('ix_ban_entries_created_by_id'))

    op.drop_table('ban_entries')
    with op.batch_alter_table('spam_removals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spam_removals_user_id'))
        batch_op.drop_index(batch_op.f('ix_spam_removals_actor_id'))

    op.drop_table('spam_removals')
    with op.batch_alter_table('member_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_addresses_last_seen'))
        batch_op.drop_index(batch_op.f('ix_member_addresses_address'))

    op.drop_table('member_addresses')
