"""Fixtures: an app on a fresh database (SQLite per test, or PostgreSQL when DATABASE_URL names
one), a client, users of every role, a login helper and a query counter.

The schema is built once per process (per xdist worker) and each test gets an empty copy of it
(tests/databases.py). Writes reach the search index only in tests marked
``@pytest.mark.search``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from jinja2 import BytecodeCache
from sqlalchemy import event
from sqlalchemy.util import LRUCache
from werkzeug.routing import Rule

from forum import create_app
from forum.extensions import db as _db
from forum.policy import Policy

from . import factories
from .databases import PG_URL, USING_PG, Databases

__all__ = ["PG_URL", "USING_PG"]  # test_migrations reads them from here


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as a server does. Otherwise requests reuse the
    ``app`` fixture's context, and ``g`` (the logged-in user, the policy) leaks between them."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _compile_url_builders_once() -> None:
    """Every ``create_app`` compiles two small Python functions per URL rule, more than half of
    the factory's time. They depend only on the rule's parsed parts, its converters and its
    defaults, so the suite compiles each once per process and binds it to every app's rule."""
    original = Rule._compile_builder
    compiled: dict = {}

    def compile_builder(self, append_unknown=True):
        try:
            key = (self.rule, tuple(self._trace),
                   tuple((name, type(conv)) for name, conv in self._converters.items()),
                   repr(sorted((self.defaults or {}).items())), append_unknown)
            hash(key)
        except (AttributeError, TypeError):  # a Werkzeug that parses rules differently
            return original(self, append_unknown)
        if key not in compiled:
            compiled[key] = original(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_builder


def _parse_url_rules_once() -> None:
    """Parsing a rule's text into its regular expression parts and converters was most of what
    remained of ``create_app`` (65 of 80 ms, about 250 rules). The result depends only on the
    rule's text, its host or subdomain, slash merging, its defaults and the map's converter
    classes, so each rule is parsed once per process and its parts (immutable tuples), trace,
    converters and URL builders are handed to every later app's equal rule (80 → 14 ms). The
    converters are shared between apps: Werkzeug's and ours keep the map they were made with but
    never read it when matching or building."""
    original = Rule.compile
    parsed: dict = {}

    def compile(self) -> None:
        url_map = self.map
        domain = self.host if url_map.host_matching else self.subdomain
        try:
            key = (self.rule, domain or "", self.merge_slashes, url_map.host_matching,
                   tuple(sorted(url_map.converters.items())),
                   tuple(sorted(self.defaults.items())) if self.defaults else ())
            found = parsed.get(key)
        except TypeError:  # defaults that cannot be a key
            return original(self)
        if found is None:
            original(self)
            # The builders too (compiled from the same parts and defaults), unbound.
            parsed[key] = (tuple(self._parts), tuple(self._trace), dict(self._converters),
                           frozenset(self.arguments), self._build.__func__,
                           self._build_unknown.__func__)
            return
        parts, trace, converters, arguments, build, build_unknown = found
        self._parts = list(parts)
        self._trace = list(trace)
        self._converters = dict(converters)
        self.arguments.update(arguments)
        self._build = build.__get__(self, None)
        self._build_unknown = build_unknown.__get__(self, None)

    Rule.compile = compile


_compile_url_builders_once()
_parse_url_rules_once()


class _TemplateCode(BytecodeCache):
    """Compiled templates kept for every app of the process. Each app has its own Jinja
    environment, so each test compiled every template it rendered again; the source's checksum
    still decides whether a kept one is current."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket) -> None:
        kept = self._code.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_TEMPLATE_CODE = _TemplateCode()
# Per (dialect name, driver): a connected dialect and the compiled statements cached with it.
_COMPILED_SQL: dict[tuple[str, str], tuple[object, LRUCache]] = {}


def _share_compiled_code(app: Flask) -> None:
    """Give a new app the templates and SQL statements earlier apps of the process compiled.

    SQLAlchemy caches a compiled statement per engine and dialect object, and every test has a
    new engine: a quarter of a test's time went to compiling the same statements again. Engines of
    one dialect (same driver, same server, the same options from create_app) compile alike, so
    each engine runs statements with the first connected one's dialect and cache. The engine's
    own dialect still sets up its connections."""
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    engine = _db.engine
    shared = _COMPILED_SQL.get((engine.dialect.name, engine.dialect.driver))
    if shared is not None:
        engine.dialect, engine._compiled_cache = shared


def _lend_compiled_sql(engine) -> None:
    dialect = engine.dialect
    key = (dialect.name, dialect.driver)
    if key not in _COMPILED_SQL and dialect.server_version_info is not None:  # has connected
        cache = LRUCache(5000)
        cache.update(engine._compiled_cache or {})
        _COMPILED_SQL[key] = (dialect, cache)


# Tests that share one process's session or module fixtures, each kept on one xdist worker: the
# browser journeys (one server, one browser, run in order), the bench seed (seeded once) and the
# two hosts (started once).
ONE_WORKER = ("tests/e2e/", "tests/test_bench_seed.py", "tests/test_two_hosts.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` as this suite needs it: every test is a unit of its own, except that
    the tests under a path of ONE_WORKER form one unit. (pytest-xdist's own grouping by
    ``xdist_group`` marks no longer takes effect with pytest 9.2.) Larger units go out first, so
    the journeys start at once on one worker while the other works through the rest."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((path for path in ONE_WORKER if nodeid.startswith(path)), nodeid)

    return Grouped(config, log)


@pytest.fixture(scope="session")
def _databases(tmp_path_factory) -> Iterator[Databases]:
    databases = Databases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.close()


def pytest_generate_tests(metafunc):
    """On PostgreSQL, tests marked ``engines`` run once with each search engine."""
    if "search_engine" not in metafunc.fixturenames:
        return
    definition = metafunc.definition
    if definition.get_closest_marker("whoosh") is not None:
        metafunc.parametrize("search_engine", ["whoosh"], indirect=True)
    elif USING_PG and definition.get_closest_marker("engines") is not None:
        metafunc.parametrize("search_engine", ["postgres", "whoosh"], indirect=True)


@pytest.fixture
def search_engine(request) -> str:
    """The search engine the app is given: "auto" (PostgreSQL's on PostgreSQL, else Whoosh)
    unless parametrised."""
    return getattr(request, "param", "auto")


@contextmanager
def app_on(database_url: str, folder: Path, *, search: bool,
           search_index: Path | None = None, engine: str = "auto") -> Iterator[Flask]:
    """A test app on ``database_url`` with its instance in ``folder``, inside an app context.
    ``search``: writes reach the search engine (``FORUM_SEARCH_INDEXING``); ``engine``:
    ``SEARCH_BACKEND``."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(folder / "instance"),
        "FORUM_SEARCH_INDEX": str(search_index or folder / "search"),
        "FORUM_SEARCH_INDEXING": search,
        "SEARCH_BACKEND": engine,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Real hashing, cheaper rounds: the suite hashes hundreds of passwords.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Fixtures post many times a second; the cooldown tests switch this back on.
        "MEMBER_COOLDOWNS": False,
        # Tests send the sign-up form without showing it first; the sign-up guard's tests
        # switch the form's stamp back on.
        "REGISTRATION_MIN_SECONDS": 0,
    }
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        _share_compiled_code(app)
        yield app
        _db.session.remove()
        _lend_compiled_sql(_db.engine)
        _db.engine.dispose()


@pytest.fixture
def app(request, tmp_path, _databases, search_engine):
    """A fresh app on an empty database. Its writes skip the search index unless the test is
    marked ``@pytest.mark.search`` (indexing every fixture post took much of the suite's time)."""
    search = request.node.get_closest_marker("search") is not None
    with app_on(_databases.empty(tmp_path), tmp_path, search=search,
                engine=search_engine) as app:
        yield app


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
        from forum.services.accounts import logins

        logins.start(user, False, "127.0.0.1", None)
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

        # Settings are read again every few seconds per process, whatever the page: measure the
        # page, not a refresh that a slow machine's set-up happened to make due.
        from forum.stores import settings as settings_store

        settings_store.clear_cache()
        settings_store.get("forum_name")
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


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free port of 127.0.0.1, and the app sending to it."""
    from .smtp_server import SMTPServer

    server = SMTPServer().start()
    app.config.update(server.config())
    yield server
    server.stop()


@pytest.fixture
def webhook_server(app):
    """A real HTTP server on a free port of 127.0.0.1 that checks signatures, and the app
    allowed to deliver to 127.0.0.1 (and nowhere else private) with a short timeout."""
    from .webhook_server import WebhookServer

    server = WebhookServer().start()
    app.config.update(WEBHOOK_ALLOWED_NETWORKS=("127.0.0.1/32",), WEBHOOK_TIMEOUT=1.0)
    yield server
    server.stop()


@pytest.fixture
def redis_server(app):
    """A real ``redis-server`` of the test's own on a free port, and the app using it for rate
    counters and kept copies; ``redis_server.stop()`` kills it mid-test. Skipped where
    redis-server or the redis package is missing."""
    pytest.importorskip("redis", reason="the redis package is not installed")
    from .redis_server import RedisServer

    if not RedisServer.installed():
        pytest.skip("redis-server is not installed")
    server = RedisServer().start()
    # Tried again at once after a failure: the tests stop and look, they do not wait.
    app.config.update(REDIS_URL=server.url, REDIS_RETRY_SECONDS=0, REDIS_TIMEOUT=1)
    yield server
    server.stop()
