"""Post versions: a counter the database raises on every update of a post.

Rendered pages of posts are cached under the sum of their posts' versions, so the trigger, not
each writer, keeps the cache honest. Note for later migrations: on SQLite, a batch operation
that rebuilds the posts table drops its triggers; create this one again after it.

Revision ID: b7e1d4c9a2f3
Revises: 925acfc624c0
Create Date: 2026-11-24 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1d4c9a2f3'
down_revision = '925acfc624c0'
branch_labels = None
depends_on = None

# Kept here rather than imported: a migration must not change when the models do.
TRIGGER = {
    "sqlite": (
        "CREATE TRIGGER posts_version_bump AFTER UPDATE ON posts FOR EACH ROW "
        "WHEN NEW.version = OLD.version "
        "BEGIN UPDATE posts SET version = OLD.version + 1 WHERE id = NEW.id; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION posts_version_bump() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$",
        "CREATE TRIGGER posts_version_bump BEFORE UPDATE ON posts FOR EACH ROW "
        "EXECUTE FUNCTION posts_version_bump()",
    ),
}
DROP = {
    "sqlite": ("DROP TRIGGER IF EXISTS posts_version_bump",),
    "postgresql": ("DROP TRIGGER IF EXISTS posts_version_bump ON posts",
                   "DROP FUNCTION IF EXISTS posts_version_bump()"),
}


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0',
                                      nullable=False))
    for statement in TRIGGER.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade():
    for statement in DROP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('version')
