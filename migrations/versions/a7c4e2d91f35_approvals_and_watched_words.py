"""Posts waiting for approval, watched words, a board's "new threads need approval" and a
member's "always review".

Revision ID: a7c4e2d91f35
Revises: a7c2e9f4b1d3
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from forum.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = "a7c4e2d91f35"
down_revision = "a7c2e9f4b1d3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("words", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pending_posts") as batch:
        batch.create_index("ix_pending_posts_author_id", ["author_id"])
        batch.create_index("ix_pending_posts_decided_by_id", ["decided_by_id"])
        batch.create_index("ix_pending_posts_post_id", ["post_id"])
        batch.create_index("ix_pending_posts_thread_id", ["thread_id"])
        batch.create_index("ix_pending_posts_state_created", ["state", "created_at"])
    op.create_table(
        "watched_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=100), nullable=False),
        sa.Column("is_domain", sa.Boolean(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("replacement", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pattern", "is_domain"),
    )
    with op.batch_alter_table("watched_words") as batch:
        batch.create_index("ix_watched_words_created_by_id", ["created_by_id"])
    with op.batch_alter_table("boards") as batch:
        batch.add_column(sa.Column("threads_need_approval", sa.Boolean(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("always_review", sa.Boolean(), nullable=False,
                                   server_default="0"))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("always_review")
    with op.batch_alter_table("boards") as batch:
        batch.drop_column("threads_need_approval")
    op.drop_table("watched_words")
    op.drop_table("pending_posts")
