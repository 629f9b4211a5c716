"""The suite's databases: the schema is built once per process (per xdist worker), then each
test gets an empty copy of it.

SQLite: ``create_all`` writes a template file once; each test copies it (a millisecond, where
``create_all`` takes fifty). PostgreSQL: each xdist worker has a database of its own next to
DATABASE_URL's (``test`` → ``test_<run>_gw0``), created at the start of the run and dropped at
its end; each test empties the tables the previous one filled. A database with data in it (the
bench seed) can be kept as a snapshot and handed to several tests, each getting its own copy: a
file copy on SQLite, a database cloned from a template on PostgreSQL.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from forum import create_app
from forum.extensions import db

PG_URL = os.environ.get("DATABASE_URL", "")
USING_PG = PG_URL.startswith(("postgresql", "postgres"))
# Under pytest-xdist each worker process is named (gw0, gw1, …) and each run has an id;
# without xdist, "".
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]

if USING_PG and "synchronous_commit" not in os.environ.get("PGOPTIONS", ""):
    # The suite's sessions commit without waiting for the WAL to reach the disk (5 ms a commit
    # here, thousands of commits): what a crash of the server could lose is test data, and what
    # other sessions see, and when, is unchanged. libpq reads PGOPTIONS for every connection of
    # the test processes and the processes they start; nothing is changed on the server.
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off"


def postgres_url(url: str = PG_URL) -> URL:
    """The URL with psycopg 3 named, as ``forum.config`` reads DATABASE_URL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return make_url(url)


@dataclass(frozen=True)
class Snapshot:
    """A database kept as it was at one moment: a SQLite file, or a PostgreSQL template
    database. ``search`` is the search index folder of that moment, if any."""

    source: str
    search: Path | None


class Databases:
    """This process's databases (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if USING_PG:
            self.url = postgres_url()
            self._own_database = bool(WORKER)
            if WORKER:
                # Named for the run too: two runs on one server (two checkouts, or CI next to a
                # developer) would otherwise empty each other's tables and drop each other's schema.
                name = "_".join(part for part in (self.url.database, RUN, WORKER) if part)
                self.url = self.url.set(database=name)
                self._create_database(name)
            # One connection kept open for emptying: connecting took longer than the emptying.
            self._engine: Engine | None = create_engine(self.url, pool_size=1)
        else:
            self.url = make_url(f"sqlite:///{folder / 'template.db'}")
            self._engine = None
        self._build_schema()
        if USING_PG:
            self._prepare_emptying()

    def close(self) -> None:
        """End of the run: a worker's own PostgreSQL database is dropped."""
        if USING_PG:
            self._engine.dispose()
            if self._own_database:
                self._server(f'DROP DATABASE IF EXISTS "{self.url.database}" WITH (FORCE)')

    # -- the empty schema, per test --------------------------------------------------------
    def empty(self, folder: Path) -> str:
        """The URL of an empty database with the schema, for one test using ``folder``."""
        if not USING_PG:
            target = folder / "test.db"
            copy_sqlite(Path(self.url.database), target)
            return f"sqlite:///{target}"
        self._empty_tables()
        return self.url.render_as_string(hide_password=False)

    def _build_schema(self) -> None:
        app = create_app({"TESTING": True, "SECRET_KEY": "schema",
                          "INSTANCE_PATH": str(self.folder / "instance"),
                          "FORUM_SEARCH_INDEX": str(self.folder / "search"),
                          "SQLALCHEMY_DATABASE_URI": self.url.render_as_string(
                              hide_password=False)})
        with app.app_context():
            if USING_PG:
                db.drop_all()
            db.create_all()
            db.session.remove()
            db.engine.dispose()  # SQLite: the last close moves the WAL into the file tests copy

    def _prepare_emptying(self) -> None:
        # Children before parents. The foreign keys that close a cycle (a thread's first post,
        # a board's latest post) are ON DELETE SET NULL, so deleting in this order always holds.
        self._tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        self._probe = text(" UNION ALL ".join(
            f'SELECT {n} WHERE EXISTS (SELECT FROM "{name}")'
            for n, name in enumerate(self._tables)
        ))
        self._restart = text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, "
            "false) FROM pg_sequences WHERE schemaname = current_schema() "
            "AND last_value IS NOT NULL"
        )

    def _empty_tables(self) -> None:
        """Empty the tables that have rows and restart the sequences that were used, in three
        round trips. Cheaper than TRUNCATE of every table (which gives each table new files):
        most tests fill a handful of tables with a few rows."""
        with self._engine.begin() as conn:
            filled = sorted(conn.scalars(self._probe))
            if filled:
                conn.exec_driver_sql("; ".join(
                    f'DELETE FROM "{self._tables[n]}"' for n in filled))
            conn.execute(self._restart)

    # -- snapshots ---------------------------------------------------------------------------
    def snapshot(self, url: str, name: str, search: Path | None = None) -> Snapshot:
        """Keep the database at ``url`` (which ``empty`` gave) as it is now, and ``search``."""
        kept_search = None
        if search is not None and search.exists():
            kept_search = self.folder / f"{name}-search"
            shutil.copytree(search, kept_search)
        if not USING_PG:
            kept = self.folder / f"{name}.db"
            copy_sqlite(Path(make_url(url).database), kept)
            return Snapshot(str(kept), kept_search)
        template = f"{self.url.database}_{name}"
        self._engine.dispose()  # a template database must have no connections
        self._server(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
                     f'CREATE DATABASE "{template}" TEMPLATE "{self.url.database}"')
        return Snapshot(template, kept_search)

    def restore(self, snapshot: Snapshot, folder: Path) -> tuple[str, Path]:
        """A copy of the snapshot for one test: (database URL, search index folder)."""
        search = folder / "search"
        if snapshot.search is not None:
            shutil.copytree(snapshot.search, search)
        if not USING_PG:
            target = folder / "test.db"
            copy_sqlite(Path(snapshot.source), target)
            return f"sqlite:///{target}", search
        copy = f"{snapshot.source}_copy"
        self._server(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)',
                     f'CREATE DATABASE "{copy}" TEMPLATE "{snapshot.source}"')
        return self.url.set(database=copy).render_as_string(hide_password=False), search

    def discard(self, snapshot: Snapshot) -> None:
        if USING_PG:
            self._server(f'DROP DATABASE IF EXISTS "{snapshot.source}_copy" WITH (FORCE)',
                         f'DROP DATABASE IF EXISTS "{snapshot.source}" WITH (FORCE)')

    # -- the PostgreSQL server ---------------------------------------------------------------
    def _server(self, *statements: str) -> None:
        server = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                               poolclass=NullPool)
        with server.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)

    def _create_database(self, name: str) -> None:
        server = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                               poolclass=NullPool)
        with server.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                           {"name": name}):
                return
            try:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            except ProgrammingError as error:  # another run may have created it meanwhile
                if type(error.orig).__name__ != "DuplicateDatabase":
                    raise


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database that no connection has open, with its WAL if one was left."""
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
