"""Full-text search on PostgreSQL: ``post_search``, one weighted tsvector per post (title A,
body B) with a GIN index, and the language it was built in. On SQLite the table is created
and stays empty (Whoosh searches there). ``forum reindex`` fills it for existing posts.

Revision ID: e8a41c2f7d93
Revises: 111c1b998404
Create Date: 2026-12-07 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "e8a41c2f7d93"
down_revision = '111c1b998404'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('post_search',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'),
              nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_search_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_post_search'))
    )
    op.create_index('ix_post_search_vector', 'post_search', ['vector'], unique=False,
                    postgresql_using='gin')


def downgrade():
    op.drop_index('ix_post_search_vector', table_name='post_search', postgresql_using='gin')
    op.drop_table('post_search')
