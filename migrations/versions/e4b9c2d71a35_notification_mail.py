"""Notification mail: members' choices (only where they differ from the defaults), when each
member's next digest falls due, and which notifications the mail scan has looked at.
Notifications that exist already count as looked at: they are not news by mail any more.

Revision ID: e4b9c2d71a35
Revises: d7e3a1c9f4b6
Create Date: 2026-12-08 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e4b9c2d71a35"
down_revision = "d7e3a1c9f4b6"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs (no table rebuild): other tables reference users and notifications.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_preferences", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("digest_due_at", sa.DateTime(timezone=True),
                                      nullable=True))
    # Due at once: the first run only moves each member on to their own local hour.
    op.execute("UPDATE users SET digest_due_at = created_at WHERE deleted_at IS NULL")
    op.create_index("ix_users_digest_due_at", "users", ["digest_due_at"], unique=False)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_checked_at", sa.DateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE notifications SET mail_checked_at = created_at")
    op.create_index("ix_notifications_mail_waiting", "notifications", ["created_at"],
                    unique=False, sqlite_where=sa.text("mail_checked_at IS NULL"),
                    postgresql_where=sa.text("mail_checked_at IS NULL"))


def downgrade():
    op.drop_index("ix_notifications_mail_waiting", table_name="notifications")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("mail_checked_at")
    op.drop_index("ix_users_digest_due_at", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("digest_due_at")
        batch_op.drop_column("mail_preferences")
