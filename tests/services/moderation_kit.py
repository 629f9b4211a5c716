"""Helpers shared by the moderation tests: a fixed clock, reported posts, and a race runner."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from forum.extensions import db
from forum.models import ModAction, ReportItem
from forum.services.moderation import reports
from tests import factories

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def reported_post(reporters: int = 1, author=None, board=None, reason: str = "spam",
                  body: str = "Buy cheap watches!", now: datetime = T0):
    """A reply by ``author`` reported by ``reporters`` members past the new-member limits
    (whose reports count toward hiding it); returns (post, item)."""
    board = board or factories.make_board()
    author = author or factories.make_user()
    thread = factories.make_thread(board, author=factories.make_user(), title="Watches")
    post = factories.make_post(thread, author=author, body=body)
    item = None
    for _ in range(reporters):
        report = reports.file_report(factories.make_established_user(), post, reason, now=now)
        item = report.item
    return post, item


def actions(action: str | None = None, item: ReportItem | None = None) -> list[ModAction]:
    query = select(ModAction).order_by(ModAction.id)
    if action is not None:
        query = query.where(ModAction.action == action)
    if item is not None:
        query = query.where(ModAction.item_id == item.id)
    return list(db.session.scalars(query))


def race(app, *jobs: Callable[[], Callable[[], object]], timeout: float = 60) -> list:
    """Run jobs in threads, each in its own app context (own session and connection).

    A job loads what it needs and returns the call to race; every thread loads first, then
    they all make their call at once. Returns ("ok", value) or ("error", exception) per job.
    """
    db.session.commit()  # the test's own session must hold no locks while the threads write
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index: int, job) -> None:
        with app.app_context():
            try:
                call = job()
                barrier.wait(timeout)
                results[index] = ("ok", call())
            except Exception as error:  # noqa: BLE001 - the test inspects it
                results[index] = ("error", error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert all(not thread.is_alive() for thread in threads), "a racing thread hung"
    db.session.expire_all()
    return results
