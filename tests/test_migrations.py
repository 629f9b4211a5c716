"""The committed migrations build exactly the schema the models describe."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.extensions import db

from .conftest import PG_URL, USING_PG


@pytest.fixture
def empty_database_url(tmp_path):
    if not USING_PG:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"agora_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _render_item(type_, obj, autogen_context):
    return False


def test_migrations_match_models(tmp_path, empty_database_url):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "x",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": empty_database_url,
    })
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "boards", "threads", "posts"} <= tables
        # Triggers are outside what autogenerate compares: the post version one must be there.
        catalog = ("SELECT count(*) FROM pg_trigger WHERE tgname = 'posts_version_bump'"
                   if USING_PG else
                   "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                   "AND name = 'posts_version_bump'")
        with db.engine.connect() as conn:
            assert conn.execute(text(catalog)).scalar() == 1
        # And the way back works, so a bad deploy can be rolled back.
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_unicode_usernames_backfill_keys_and_skeletons(tmp_path, empty_database_url):
    """Upgrading a forum with members works out every key and skeleton again; names that
    already look alike don't stop it: the oldest keeps its skeleton."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "x",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": empty_database_url,
    })
    members = [  # id, username, key as the old rules stored it, deleted
        (1, "bob1", "bob1", False),
        (2, "Alice", "alice", False),
        (3, "bobl", "bobl", False),  # looks like bob1
        (4, "deleted-4", "deleted-4", True),
        (5, "Straße", "straße", False),  # lower() kept the ß; folding makes it "ss"
    ]
    with app.app_context():
        upgrade(revision="f2a6c81d4e07")
        with db.engine.begin() as conn:
            for user_id, name, key, deleted in members:
                conn.execute(text(
                    "INSERT INTO users (id, username, username_key, email, email_key, "
                    "password_hash, role, timezone, created_at, post_count, thread_count, "
                    "session_token, is_board_moderator, rules_version, privacy_version, "
                    "deleted_at) VALUES (:id, :name, :key, :email, :email, '!', 1, 'UTC', "
                    ":now, 0, 0, 'token', :false, 0, 0, :deleted)"
                ), {"id": user_id, "name": name, "key": key, "email": f"{user_id}@example.com",
                    "now": "2030-01-01 00:00:00", "false": False,
                    "deleted": "2030-01-02 00:00:00" if deleted else None})
            conn.execute(text(
                "INSERT INTO old_usernames (user_id, username, username_key, retired_at) "
                "VALUES (2, 'GROSSE', 'grosse', '2030-01-01 00:00:00'), "
                "(5, 'Größe', 'größe', '2030-01-01 00:00:00')"
            ))
        upgrade()
        with db.engine.connect() as conn:
            found = {row.id: (row.username_key, row.username_skeleton) for row in conn.execute(
                text("SELECT id, username_key, username_skeleton FROM users"))}
            old = dict(conn.execute(text("SELECT username, username_key FROM old_usernames")).all())
        assert found[1] == ("bob1", "bobl")
        assert found[2] == ("alice", "alice")
        assert found[3] == ("bobl", None)  # the younger look-alike keeps its name, no skeleton
        assert found[4] == ("deleted-4", None)
        assert found[5] == ("strasse", "strasse")
        # "größe" folds to "grösse": no clash with "grosse", which stays as it was.
        assert old == {"GROSSE": "grosse", "Größe": "grösse"}
        unique = [index for index in inspect(db.engine).get_indexes("users")
                  if index["column_names"] == ["username_skeleton"]]
        assert unique and unique[0]["unique"]
        downgrade(revision="f2a6c81d4e07")
        columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
        assert "username_skeleton" not in columns
        db.engine.dispose()
