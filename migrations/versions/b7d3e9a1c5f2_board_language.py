"""A board's language, for search stemming (None: the forum's default language).

Revision ID: b7d3e9a1c5f2
Revises: f2a6c81d4e07
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d3e9a1c5f2"
down_revision = "f2a6c81d4e07"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("boards") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("boards") as batch_op:
        batch_op.drop_column("language")
