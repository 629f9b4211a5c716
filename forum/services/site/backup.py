"""A consistent copy of a SQLite database while the forum runs (``forum backup``).

sqlite3's online backup API copies the pages under one read transaction: in WAL mode (see
``database.configure_engine``) writers go on meanwhile, and the copy is the database as it
was at one commit. It is written beside the target and renamed into place when checked, so a
half-written file never carries the backup's name. PostgreSQL has ``pg_dump`` for this.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ...extensions import db


class BackupRefused(Exception):
    """Nothing was written; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    bytes: int
    pages: int


def sqlite_path() -> Path:
    """The app's SQLite database file; refuses for any other database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            f"The database is {url.get_backend_name()}, not SQLite: back it up with its own "
            "tools (for PostgreSQL: pg_dump --format=custom --file=forum.dump DATABASE).")
    if not url.database or url.database == ":memory:":
        raise BackupRefused("The database lives in memory only; there is no file to back up.")
    return Path(url.database)


def backup_sqlite(target: Path) -> Backup:
    """Copy the database to ``target`` (a new file; an existing one is left alone)."""
    source_path = sqlite_path()
    target = Path(target)
    if target.exists():
        raise BackupRefused(f"{target} exists already; name a new file.")
    if target.resolve() == source_path.resolve():
        raise BackupRefused("The backup can't replace the database itself.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            # One step (pages=-1): the whole copy under one read transaction, so it is one
            # moment's database; a copy in steps would start over whenever someone writes.
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            checked = copy.execute("PRAGMA quick_check").fetchone()[0]
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if checked != "ok":
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"The copy did not pass SQLite's check ({checked}); nothing kept.")
    os.replace(partial, target)
    return Backup(target, target.stat().st_size, pages)
