"""Images members upload (one row per upload, files kept by content hash in the storage)
and members' own avatars (the storage keys of their sizes).

Revision ID: 111c1b998404
Revises: bb2b26cf5562
Create Date: 2026-12-07 21:54:35.486449

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '111c1b998404'
down_revision = 'bb2b26cf5562'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('display_key', sa.String(length=80), nullable=False),
    sa.Column('thumb_key', sa.String(length=80), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('stored_bytes', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_uploads_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_uploads_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_uploads_post_id_posts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploads_display_key'), ['display_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_uploads_owner_created', ['owner_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploads_thumb_key'), ['thumb_key'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar_keys', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('load_remote_images', sa.Boolean(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('load_remote_images')
        batch_op.drop_column('avatar_keys')

    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_thumb_key'))
        batch_op.drop_index(batch_op.f('ix_uploads_post_id'))
        batch_op.drop_index('ix_uploads_owner_created')
        batch_op.drop_index(batch_op.f('ix_uploads_message_id'))
        batch_op.drop_index(batch_op.f('ix_uploads_display_key'))

    op.drop_table('uploads')
