"""Two hosts behind one PostgreSQL database and one Redis behave like one forum.

Two gunicorn masters on different ports, each with an instance folder of its own (no shared
disk), share a fresh PostgreSQL database (made for this module, migrated with ``flask db
upgrade``, dropped after) and one Redis (keys under a prefix of this run's own). Runs when
PostgreSQL and Redis answer on 127.0.0.1 (``TEST_PG_ADMIN_URL``, ``TEST_REDIS_URL`` name
others); skipped with the reason otherwise.
"""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests import factories
from tests.databases import USING_PG, postgres_url
from tests.hosts_kit import (
    ROOT,
    Browser,
    Host,
    environment,
    gunicorn_installed,
    start_worker,
    stop_worker,
)
from tests.s3_server import moto_server
from tests.smtp_server import SMTPServer

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL") or (
    os.environ["DATABASE_URL"] if USING_PG else "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
PASSWORD = factories.PASSWORD
SECRET = "two-hosts-" + uuid.uuid4().hex  # one key for both: a session works on either


def _unavailable() -> str | None:
    if not gunicorn_installed():
        return "gunicorn is not installed"
    try:
        import redis
    except ImportError:
        return "the redis package is not installed"
    try:
        probe = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        probe.ping()
        probe.close()
    except redis.RedisError as error:
        return f"no Redis answering at {REDIS_URL} ({error})"
    try:
        engine = create_engine(postgres_url(PG_ADMIN), connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any reason not to reach it skips alike
        return f"no PostgreSQL answering at {postgres_url(PG_ADMIN).render_as_string()} " \
               f"({type(error).__name__})"
    return None


pytestmark = pytest.mark.skipif(bool(_unavailable()), reason=_unavailable() or "")


@dataclass
class Cluster:
    a: Host
    b: Host
    url: str
    env: dict  # what every process of this forum runs with, but its instance folder
    folder: Path
    thread_id: int
    slow_thread_id: int
    search_on_database: bool
    smtp: SMTPServer
    bucket: str | None  # images go to this bucket of a real S3-compatible server, or None

    def sql(self, statement: str, **params):
        engine = create_engine(self.url)
        try:
            with engine.begin() as connection:
                return connection.execute(text(statement), params).all() \
                    if statement.lstrip().upper().startswith("SELECT") else None
        finally:
            engine.dispose()


def _seed(url: str, folder: Path) -> tuple[int, int, bool]:
    """Members, a board, a thread and a slow-mode thread, written by an app of this process."""
    from forum import create_app
    from forum.extensions import db
    from forum.services.search import backend

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                      "INSTANCE_PATH": str(folder / "seed"), "MEMBER_COOLDOWNS": False,
                      "FORUM_SEARCH_INDEX": str(folder / "seed" / "search")})
    with app.app_context():
        # The Whoosh folder is each host's own; search is shared only when it is the database.
        on_database = backend.name(app) == backend.POSTGRES
        board = factories.make_board(slug="garden")
        author = factories.make_established_user(username="author")
        factories.make_established_user(username="writer")
        factories.make_established_user(username="racer")
        factories.make_established_user(username="maker")  # posts no reply before its image
        thread = factories.make_thread(board, author, title="Tomatoes", body="Plant in May.")
        slow = factories.make_thread(board, author, title="Heated", body="Slowly now.")
        slow.slow_mode_seconds = 600
        db.session.commit()
        ids = thread.id, slow.id
        db.session.remove()
        db.engine.dispose()
    return *ids, on_database


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-hosts")
    admin = create_engine(postgres_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    name = f"agora_hosts_{uuid.uuid4().hex[:12]}"
    url = postgres_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    prefix = f"agora-test-hosts-{uuid.uuid4().hex}:"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    hosts: list[Host] = []
    # Mail goes to a real SMTP server of the test's: the hosts queue it, only workers send.
    smtp = SMTPServer().start()
    # Images go to a bucket of a real S3-compatible server (moto's, on 127.0.0.1): no disk
    # is shared, so that is how an image uploaded through one host reaches the other.
    s3 = contextlib.ExitStack()
    try:
        endpoint = s3.enter_context(moto_server())
        images = {}
        bucket = None
        if endpoint is not None:
            bucket = _bucket(endpoint)
            images = {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, **S3_CREDENTIALS}
        env = environment(DATABASE_URL=url, REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix,
                          SECRET_KEY=SECRET, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port),
                          MAIL_SECURITY="none", **images)
        migrated = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
            env={**env, "FORUM_INSTANCE": str(folder / "migrate")}, capture_output=True,
            text=True, timeout=300)
        assert migrated.returncode == 0, migrated.stderr
        # The hosts start (importing the app takes seconds) while this process seeds.
        for host in ("a", "b"):
            hosts.append(Host(host, {**env, "FORUM_INSTANCE": str(folder / f"host-{host}")},
                              folder))
        thread_id, slow_id, on_database = _seed(url, folder)
        for host in hosts:
            host.wait_until_serving()
        yield Cluster(*hosts, url, env, folder, thread_id, slow_id, on_database, smtp, bucket)
    finally:
        for host in hosts:
            host.ask_to_stop()
        for host in hosts:
            host.stop()
        smtp.stop()
        s3.close()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


S3_CREDENTIALS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing"}


def _bucket(endpoint: str) -> str | None:
    try:
        import boto3
    except ImportError:
        return None
    name = f"agora-hosts-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=name)  # noqa: S106
    return name


def _logged_in(cluster: Cluster, username: str) -> Browser:
    browser = Browser()
    answer = browser.log_in(cluster.a.base, username, PASSWORD)
    assert answer.status == 302, answer.text[:2000]
    return browser


def test_each_host_has_its_own_instance_folder(cluster):
    assert (cluster.folder / "host-a").is_dir() and (cluster.folder / "host-b").is_dir()
    assert cluster.a.port != cluster.b.port


def test_a_reply_through_a_is_on_b_at_once(cluster):
    guest = Browser()
    thread = f"/t/{cluster.thread_id}"
    assert "Plant in May." in guest.get(cluster.b.base + thread).text  # B keeps it now
    writer = _logged_in(cluster, "writer")
    word = "zucchini" + uuid.uuid4().hex[:8]
    answer = writer.submit(cluster.a.base, thread, f"{thread}/reply",
                           body=f"Grow {word} beside them.")
    assert answer.status == 302, answer.text[:2000]
    for _ in range(4):  # whichever of B's workers answers
        assert word in guest.get(cluster.b.base + thread).text
    assert word in writer.get(cluster.b.base + thread).text  # the same session on B
    if cluster.search_on_database:
        # Search reads the shared database: a post is found on every host once committed.
        found = guest.get(f"{cluster.b.base}/search?q={word}")
        assert found.status == 200 and word in found.text


def test_a_guest_page_cached_on_b_changes_when_a_edits_the_thread(cluster):
    guest = Browser()
    thread = f"/t/{cluster.thread_id}"
    first_post = cluster.sql("SELECT first_post_id FROM threads WHERE id = :id",
                             id=cluster.thread_id)[0][0]
    # Seen often enough that B's workers keep it (which one answers is up to them).
    assert all("Plant in May." in guest.get(cluster.b.base + thread).text for _ in range(8))
    # Changed behind the forum's back (no commit through it, nothing raised in Redis): what
    # still shows the old text is a copy B keeps.
    cluster.sql("UPDATE posts SET body_html = '<p>Changed unseen.</p>' WHERE id = :id",
                id=first_post)
    try:
        kept = [guest.get(cluster.b.base + thread).text for _ in range(4)]
        assert any("Plant in May." in page for page in kept)
    finally:
        cluster.sql("UPDATE posts SET body_html = '<p>Plant in May.</p>' WHERE id = :id",
                    id=first_post)
    author = _logged_in(cluster, "author")
    answer = author.submit(cluster.a.base, f"/p/{first_post}/edit", f"/p/{first_post}/edit",
                           body="Plant after the last frost.")
    assert answer.status == 302, answer.text[:2000]
    # Whichever of B's workers answers, none shows its copy any more.
    for _ in range(4):
        page = guest.get(cluster.b.base + thread).text
        assert "Plant after the last frost." in page and "Plant in May." not in page


def test_failed_logins_count_across_both_hosts(cluster):
    browser = Browser()
    # Five failures for one account from one address, alternating hosts, use up its allowance.
    for n in range(5):
        host = cluster.a if n % 2 else cluster.b
        assert browser.log_in(host.base, "author", "wrong password").status == 400
    assert browser.log_in(cluster.a.base, "author", PASSWORD).status == 429
    assert browser.log_in(cluster.b.base, "author", PASSWORD).status == 429


def test_slow_mode_holds_across_hosts(cluster):
    racer = _logged_in(cluster, "racer")
    thread = f"/t/{cluster.slow_thread_id}"
    forms = [racer.form(host.base + thread, f"{thread}/reply") for host in (cluster.a,
                                                                            cluster.b)]
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def send(index: int, host: Host) -> None:
        fields = {**forms[index], "body": f"At once through {host.name}."}
        barrier.wait()
        answers[index] = racer.post(f"{host.base}{thread}/reply", fields)

    senders = [threading.Thread(target=send, args=(i, host))
               for i, host in enumerate((cluster.a, cluster.b))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(answer.status for answer in answers) == [302, 429]
    posts = cluster.sql("SELECT count(*) FROM posts WHERE thread_id = :id",
                        id=cluster.slow_thread_id)[0][0]
    assert posts == 2  # the opening post and one reply


def test_a_job_queued_on_a_is_done_once_by_workers_beside_b(cluster):
    guest = Browser()
    answer = guest.submit(cluster.a.base, "/login/forgot", "/login/forgot",
                          email="writer@example.com")
    assert answer.status == 200, answer.text[:2000]
    queued = cluster.sql("SELECT id, status FROM outbox ORDER BY id DESC LIMIT 1")
    assert queued and queued[0][1] == "queued"
    job = queued[0][0]
    # Two workers beside B, each with an instance folder of its own, race for the job.
    folders = [cluster.folder / "host-b", cluster.folder / "host-b-second-worker"]
    workers = [start_worker({**cluster.env, "FORUM_INSTANCE": str(folder)}, "--interval", "0.2")
               for folder in folders]
    outputs = []
    try:
        deadline = time.monotonic() + 60
        while cluster.sql("SELECT status FROM outbox WHERE id = :id", id=job)[0][0] != "sent":
            assert time.monotonic() < deadline, "the job was not done"
            assert all(worker.poll() is None for worker in workers)
            time.sleep(0.1)
        time.sleep(0.5)  # a second sending would have begun by now
    finally:
        outputs = [stop_worker(worker) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert [message.recipients for message in cluster.smtp.received] == [
        ["writer@example.com"]], outputs
    assert sum("Worker stopped: sent 1 mail" in output for output in outputs) == 1, outputs


def test_an_image_uploaded_through_a_is_served_by_b(cluster):
    if cluster.bucket is None:
        pytest.skip("moto's S3 server (pip install 'moto[server]' boto3) could not start: "
                    "without a shared bucket each host keeps its images to itself")
    from tests import image_kit

    writer = _logged_in(cluster, "maker")
    fields = writer.form(cluster.a.base + "/uploads/new", "/uploads/new")
    fields.pop("file", None)
    sent = writer.post_file(cluster.a.base + "/uploads/new", fields, "file", "bench.jpg",
                            image_kit.jpeg(320, 240))
    assert sent.status == 302, sent.text[:2000]
    page = writer.get(cluster.a.base + "/uploads/new").text
    address = re.search(r"/uploads/\d+/[\w.-]+", page).group(0)
    # Not in a post yet: only its owner sees it, on either host.
    assert Browser().fetch(cluster.b.base + address)[0] == 404
    status, data, headers = writer.fetch(cluster.b.base + address)
    assert status == 200 and headers["Content-Type"].startswith("image/"), status
    thread = f"/t/{cluster.thread_id}"
    answer = writer.submit(cluster.a.base, thread, f"{thread}/reply",
                           body=f"My bench:\n\n![bench]({address})")
    assert answer.status == 302, answer.text[:2000]
    # In a public board's post: every guest gets it from B, the same bytes A stored.
    status, shown, headers = Browser().fetch(cluster.b.base + address)
    assert status == 200 and shown == data
    assert "public" in headers["Cache-Control"]
    assert address in Browser().get(cluster.b.base + thread).text
