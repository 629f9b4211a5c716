"""``forum backup``: a consistent copy of the SQLite database while others write to it."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from forum.services.site import backup
from tests import factories
from tests.databases import USING_PG

sqlite_only = pytest.mark.skipif(USING_PG, reason="the online backup API is SQLite's")


def _posts_in(path) -> int:
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return copy.execute("SELECT count(*) FROM posts").fetchone()[0]
    finally:
        copy.close()


@sqlite_only
def test_backup_copies_the_database_into_a_new_file(app, runner, tmp_path):
    thread = factories.make_thread(factories.make_board())
    factories.make_post(thread, body="Kept in the copy.")
    target = tmp_path / "copies" / "forum.db"
    result = runner.invoke(args=["forum", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.output
    assert _posts_in(target) == 2
    assert not (tmp_path / "copies" / "forum.db.partial").exists()
    # A self-contained file: no write-ahead log beside it.
    assert not (tmp_path / "copies" / "forum.db-wal").exists()


@sqlite_only
def test_backup_without_a_name_goes_to_the_instance_folder(app, runner):
    result = runner.invoke(args=["forum", "backup"])
    assert result.exit_code == 0, result.output
    made = list((Path(app.instance_path) / "backups").glob("forum-*.db"))
    assert len(made) == 1 and _posts_in(made[0]) == 0


@sqlite_only
def test_backup_refuses_to_overwrite(app, runner, tmp_path):
    target = tmp_path / "old.db"
    target.write_bytes(b"an older backup")
    result = runner.invoke(args=["forum", "backup", str(target)])
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert target.read_bytes() == b"an older backup"


@sqlite_only
def test_backup_refuses_to_replace_the_database(app, runner):
    result = runner.invoke(args=["forum", "backup", str(backup.sqlite_path())])
    assert result.exit_code == 1 and "exists already" in result.output


@sqlite_only
def test_backup_while_another_connection_writes_is_one_moment(app, tmp_path):
    """Writers go on during the copy; the copy holds whole transactions only."""
    url = backup.sqlite_path()
    conn = sqlite3.connect(url, timeout=10, check_same_thread=False)
    conn.execute("CREATE TABLE scratch (n INTEGER)")
    conn.commit()
    stop = threading.Event()
    written = []

    def write():
        while not stop.is_set():
            with conn:  # two rows per transaction: a copy holds both or neither
                conn.executemany("INSERT INTO scratch VALUES (?)", [(1,), (2,)])
            written.append(1)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = [backup.backup_sqlite(tmp_path / f"copy{i}.db") for i in range(5)]
    finally:
        stop.set()
        writer.join()
        conn.close()
    assert written
    for copy in copies:
        with sqlite3.connect(copy.path) as check:
            assert check.execute("SELECT count(*) FROM scratch").fetchone()[0] % 2 == 0
    # The writer was never held up for long, and its last rows are in the database.
    with sqlite3.connect(url) as check:
        assert check.execute("SELECT count(*) FROM scratch").fetchone()[0] == 2 * len(written)


@pytest.mark.skipif(not USING_PG, reason="runs against PostgreSQL")
def test_backup_on_postgresql_points_to_pg_dump(app, runner, tmp_path):
    result = runner.invoke(args=["forum", "backup", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "pg_dump" in result.output
    assert not (tmp_path / "x.db").exists()
