"""Logins: one row per browser or device a member logged in on, so logging out ends that login
on the server and the account page can list and end them. ``users.session_token`` goes.

Cookies made before this change name no login: those browsers are logged out once, and their
members log in again.

Revision ID: a3c9e1d7f5b2
Revises: c4e9a7d21f36
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3c9e1d7f5b2"
down_revision = "c4e9a7d21f36"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_logins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logins'))
    )
    with op.batch_alter_table('logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logins_user_id'), ['user_id'], unique=False)

    # A plain ALTER TABLE (SQLite has it since 3.35): a batch copy of ``users`` would drop
    # the old table, and with it, through ON DELETE CASCADE, the rows that point at it.
    op.drop_column('users', 'session_token')


def downgrade():
    # A token no cookie carries: every browser logs in again, as it did on the way up.
    op.add_column('users', sa.Column('session_token', sa.String(length=64), nullable=False,
                                     server_default='ended'))

    with op.batch_alter_table('logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logins_user_id'))

    op.drop_table('logins')
