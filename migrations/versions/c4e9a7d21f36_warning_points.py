"""Warning points: ``sanctions.points`` (a warning's points; null for other kinds), and
``sanctions.issuer_id`` may be null for a sanction the forum applied by itself when a member's
points reached a threshold.

Revision ID: c4e9a7d21f36
Revises: bcfe0b285daf
Create Date: 2026-12-07 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c4e9a7d21f36"
# Before the appeals table exists: rebuilding "sanctions" on SQLite (batch mode, foreign
# keys on) would otherwise cascade-delete the appeals that point at it.
down_revision = "bcfe0b285daf"
branch_labels = None
depends_on = None

sanctions = sa.table("sanctions", sa.column("kind", sa.String), sa.column("points", sa.Integer))


def upgrade():
    with op.batch_alter_table("sanctions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points", sa.Integer(), nullable=True))
        batch_op.alter_column("issuer_id", existing_type=sa.Integer(), nullable=True)
    # Warnings given before points existed carry the default: one point each.
    op.execute(sanctions.update().where(sanctions.c.kind == "warning").values(points=1))


def downgrade():
    # The forum's own sanctions have no issuer to keep; they go with the column's meaning.
    op.execute("DELETE FROM sanctions WHERE issuer_id IS NULL")
    with op.batch_alter_table("sanctions", schema=None) as batch_op:
        batch_op.alter_column("issuer_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("points")
