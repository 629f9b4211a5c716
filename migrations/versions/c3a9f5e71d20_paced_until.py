"""Members' paced_until: until when any of their posting counters may still be running.

The reply box asks the rate counters whether a member must wait; for a member whose counters
have all run out (most readers, most of the time) the answer is known from their own row.
Filled in from the database's live counters; counters kept in Redis are short-lived and not
read here.

Revision ID: c3a9f5e71d20
Revises: b7e1d4c9a2f3
Create Date: 2026-11-24 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9f5e71d20'
down_revision = 'b7e1d4c9a2f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paced_until', sa.DateTime(timezone=True), nullable=True))
    # Posting counters are named post:flood:<user> and post:slow:<thread>:<user>.
    op.execute(
        "UPDATE users SET paced_until = (SELECT max(rate_counters.window_ends_at) "
        "FROM rate_counters WHERE rate_counters.key LIKE 'post:%:' || users.id)"
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('paced_until')
