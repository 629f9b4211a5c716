"""Fixtures: an app on a fresh database (SQLite per test, or PostgreSQL when DATABASE_URL names
one), a client, users of every role, a login helper and a query counter."""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import event, text

from forum import create_app
from forum.extensions import db as _db
from forum.policy import Policy

from . import factories

PG_URL = os.environ.get("DATABASE_URL", "")
USING_PG = PG_URL.startswith(("postgresql", "postgres"))


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as a server does. Otherwise requests reuse the
    ``app`` fixture's context, and ``g`` (the logged-in user, the policy) leaks between them."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _pg_schema():
    """Build the PostgreSQL schema once per run; tests then empty the tables."""
    if not USING_PG:
        yield
        return
    import tempfile

    app = create_app({"TESTING": True, "INSTANCE_PATH": tempfile.mkdtemp(prefix="agora-pg-")})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield


@pytest.fixture
def app(tmp_path, _pg_schema):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "FORUM_SEARCH_INDEX": str(tmp_path / "search"),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Real hashing, cheaper rounds: the suite hashes hundreds of passwords.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Fixtures post many times a second; the cooldown tests switch this back on.
        "MEMBER_COOLDOWNS": False,
    }
    if not USING_PG:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if USING_PG:
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            _db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            _db.session.commit()
        else:
            _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def enable_csrf(app):
    """Turn CSRF protection on for a test (it is off by default to keep form tests short)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def member(app):
    return factories.make_user(username="member", role="member")


@pytest.fixture
def other_member(app):
    return factories.make_user(username="other", role="member")


@pytest.fixture
def moderator(app):
    return factories.make_user(username="moderator", role="moderator")


@pytest.fixture
def admin(app):
    return factories.make_user(username="admin", role="admin")


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as that user without going through the form."""

    def _login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def page_clock(monkeypatch):
    """``page_clock(moment)``: from then on, pages judge what depends on the clock (locks, slow
    mode, sanctions) at ``moment``, the time every request's policy reads (``Policy.clock``).
    A policy given its own ``now`` keeps it; services still take ``now=`` from the test."""

    def _set(moment):
        monkeypatch.setattr(Policy, "clock", property(lambda policy: policy.now or moment))

    return _set


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries: …`` then ``len(queries)`` is the SQL statements run."""

    @contextmanager
    def _count():
        statements: list[str] = []

        def _record(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", _record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", _record)

    return _count


@pytest.fixture
def role_world(app):
    """A board "here", one "elsewhere", and a viewer of each kind: guest, member, a board
    moderator of each board, a moderator and an administrator (tests/permission_kit.py)."""
    board = factories.make_board(slug="here")
    elsewhere = factories.make_board(slug="elsewhere")
    users = {
        "guest": AnonymousUserMixin(),
        "member": factories.make_user(username="plain"),
        "other_board_moderator": factories.make_board_moderator(
            factories.make_user(username="obm"), elsewhere),
        "board_moderator": factories.make_board_moderator(factories.make_user(username="boardmod"),
                                                          board),
        "moderator": factories.make_user(username="mod", role="moderator"),
        "admin": factories.make_user(username="adm", role="admin"),
    }
    return board, users
