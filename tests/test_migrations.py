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
