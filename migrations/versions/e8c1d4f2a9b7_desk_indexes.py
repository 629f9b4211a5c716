"""The desk's indexes, so none of its kinds reads every thread: unanswered threads in the
desk's order and questions without an accepted answer per question board (both partial), members by when they joined (for new members' first
posts), and the index of merged threads kept to merged threads only (one over every thread,
nearly all NULL, led SQLite's planner to walk all threads for "merged_into_id IS NULL").

Revision ID: e8c1d4f2a9b7
Revises: a9c4e7d21f53
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8c1d4f2a9b7'
down_revision = 'a9c4e7d21f53'
branch_labels = None
depends_on = None

# As in forum/models/threads.py (a migration keeps its own copy of what it created).
UNANSWERED_SQLITE = "first_response_at IS NULL AND is_deleted IS 0 AND merged_into_id IS NULL"
UNANSWERED_POSTGRESQL = UNANSWERED_SQLITE.replace("IS 0", "IS false")
OPEN_QUESTION_SQLITE = ("accepted_post_id IS NULL AND first_response_at IS NOT NULL "
                        "AND is_deleted IS 0 AND merged_into_id IS NULL")
OPEN_QUESTION_POSTGRESQL = OPEN_QUESTION_SQLITE.replace("IS 0", "IS false")
MERGED = "merged_into_id IS NOT NULL"


def upgrade():
    # Indexes only: no table is rebuilt.
    op.drop_index('ix_threads_merged_into_id', table_name='threads')
    op.create_index('ix_threads_merged_into_id', 'threads', ['merged_into_id'], unique=False,
                    sqlite_where=sa.text(MERGED), postgresql_where=sa.text(MERGED))
    op.create_index('ix_threads_desk_unanswered', 'threads', ['created_at', 'id'], unique=False,
                    sqlite_where=sa.text(UNANSWERED_SQLITE),
                    postgresql_where=sa.text(UNANSWERED_POSTGRESQL))
    op.create_index('ix_threads_desk_questions', 'threads', ['board_id', 'created_at'],
                    unique=False, sqlite_where=sa.text(OPEN_QUESTION_SQLITE),
                    postgresql_where=sa.text(OPEN_QUESTION_POSTGRESQL))
    op.create_index('ix_users_created_at', 'users', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_users_created_at', table_name='users')
    op.drop_index('ix_threads_desk_questions', table_name='threads')
    op.drop_index('ix_threads_desk_unanswered', table_name='threads')
    op.drop_index('ix_threads_merged_into_id', table_name='threads')
    op.create_index('ix_threads_merged_into_id', 'threads', ['merged_into_id'], unique=False)
