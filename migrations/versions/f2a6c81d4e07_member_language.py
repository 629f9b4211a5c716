"""A member's interface language (None: follow the browser).

Revision ID: f2a6c81d4e07
Revises: e4b7a2c9d1f0
Create Date: 2026-12-07 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f2a6c81d4e07"
down_revision = "e4b7a2c9d1f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("language")
