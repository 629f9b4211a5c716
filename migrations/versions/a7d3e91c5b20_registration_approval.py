"""New accounts that wait for an administrator's approval: the state, the applicant's answer,
the address the application came from and a rejection's reason.

Revision ID: a7d3e91c5b20
Revises: a3c9e1d7f5b2
Create Date: 2026-12-07 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7d3e91c5b20"
down_revision = "a3c9e1d7f5b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("approval_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("approval_answer", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("approval_address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("approval_reason", sa.Text(), nullable=True))
        batch_op.create_index("ix_users_approval_state", ["approval_state"], unique=False)


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_approval_state")
        batch_op.drop_column("approval_reason")
        batch_op.drop_column("approval_address")
        batch_op.drop_column("approval_answer")
        batch_op.drop_column("approval_state")
