"""Usernames in any script: ``users.username_skeleton`` (the TR39 look-alike skeleton, unique),
and every username key worked out again with the new key function (case folding after NFKC).

Names that already look alike (say "bob1" and "bobl") don't stop the upgrade: the oldest account
keeps the skeleton, the others get none, and new look-alikes of any of them are still refused.
Deleted accounts get none either. Old usernames reserve nothing, so they get no skeleton.

Revision ID: bcfe0b285daf
Revises: b7d3e5f1a2c4
Create Date: 2026-12-07 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The functions the application uses, so stored keys and skeletons match its lookups.
from forum.common import usernames


# revision identifiers, used by Alembic.
revision = "bcfe0b285daf"
down_revision = "b7d3e5f1a2c4"
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id", sa.Integer), sa.column("username", sa.String),
    sa.column("username_key", sa.String), sa.column("username_skeleton", sa.String),
    sa.column("deleted_at", sa.DateTime),
)
old_usernames = sa.table(
    "old_usernames",
    sa.column("id", sa.Integer), sa.column("username", sa.String),
    sa.column("username_key", sa.String),
)


def _new_key(name: str, current: str, taken: set[str]) -> str:
    """The key by the new function, unless another row holds it already or it doesn't fit the
    column: then the row keeps the key it had."""
    key = usernames.key(name)
    if key == current:
        return current
    if key in taken or len(key) > usernames.KEY_MAX:
        return current
    taken.add(key)
    return key


def _backfill_users(conn) -> None:
    rows = conn.execute(
        sa.select(users.c.id, users.c.username, users.c.username_key, users.c.deleted_at)
        .order_by(users.c.id)
    ).all()
    # Every key in use counts as taken, so no row's new key can clash with another's old one
    # at any point of the update.
    taken = {row.username_key for row in rows}
    skeletons: set[str] = set()
    changes = []
    for row in rows:
        skeleton = None
        if row.deleted_at is None:
            skeleton = usernames.skeleton(row.username)
            if skeleton in skeletons or len(skeleton) > usernames.SKELETON_MAX:
                skeleton = None
            else:
                skeletons.add(skeleton)
        changes.append({"row_id": row.id, "key": _new_key(row.username, row.username_key, taken),
                        "skeleton": skeleton})
    if changes:
        conn.execute(
            users.update().where(users.c.id == sa.bindparam("row_id"))
            .values(username_key=sa.bindparam("key"), username_skeleton=sa.bindparam("skeleton")),
            changes,
        )


def _backfill_old_usernames(conn) -> None:
    rows = conn.execute(
        sa.select(old_usernames.c.id, old_usernames.c.username, old_usernames.c.username_key)
    ).all()
    taken = {row.username_key for row in rows}
    changes = [
        {"row_id": row.id, "key": key} for row in rows
        if (key := _new_key(row.username, row.username_key, taken)) != row.username_key
    ]
    if changes:
        conn.execute(
            old_usernames.update().where(old_usernames.c.id == sa.bindparam("row_id"))
            .values(username_key=sa.bindparam("key")),
            changes,
        )


def upgrade():
    # Added, then indexed with CREATE INDEX: neither rebuilds the users table on SQLite (a
    # rebuild there would take the rows that reference users along with it).
    op.add_column("users", sa.Column("username_skeleton", sa.String(length=255), nullable=True))
    conn = op.get_bind()
    _backfill_users(conn)
    _backfill_old_usernames(conn)
    op.create_index("ix_users_username_skeleton", "users", ["username_skeleton"], unique=True)


def downgrade():
    # Keys stay as they are: for the ASCII names the earlier rules allowed, they are the same.
    op.drop_index("ix_users_username_skeleton", table_name="users")
    op.drop_column("users", "username_skeleton")
