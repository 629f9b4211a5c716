"""Merge and split over HTTP: the forms, their refusals beside the form, the merged address's
redirect, and positions that stay unique and gap-free while members reply at the same moment
(real concurrent requests; the suite runs this on SQLite and on PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Access, Board, Post, Thread
from forum.services.content import posting
from forum.services.moderation import thread_moving
from tests import factories
from tests.factories import text


@pytest.fixture
def board(app):
    return factories.make_board(slug="printers", title="Printers")


def _thread(board, author, title: str, replies: int) -> Thread:
    thread = posting.create_thread(author, board, title, f"{title}: opening")
    for n in range(replies):
        posting.reply(author, thread, f"{title}: reply {n}")
    return thread


def _ids(thread: Thread) -> list[int]:
    return list(db.session.scalars(select(Post.id).where(Post.thread_id == thread.id)
                                   .order_by(Post.position)))


def test_merge_form_merges_and_the_old_address_redirects(client, login, board, member,
                                                         moderator):
    target = _thread(board, member, "Target", 1)
    source = _thread(board, member, "Source", 1)
    login(moderator)
    response = client.post(f"/mod/threads/{source.id}/merge",
                           data={"target": f"http://localhost/t/{target.id}-target",
                                 "reason": "Same question"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mod/threads/{target.id}")
    moved = client.get(f"/t/{source.id}-source")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(
        f"/t/{target.id}-target")
    login(member)
    assert client.get(f"/t/{source.id}").status_code == 301
    refused = client.post(f"/t/{source.id}/reply", data={"body": "Late"})
    assert refused.status_code == 409 and "merged into" in text(refused)


def test_a_merged_address_is_unknown_to_who_may_not_read_the_target(client, login, board,
                                                                      member, moderator):
    staff = factories.make_board(slug="team", access=Access.STAFF)
    target = _thread(board, moderator, "Now staff talk", 0)
    source = _thread(board, member, "Public", 0)
    login(moderator)
    assert client.post(f"/mod/threads/{source.id}/merge",
                       data={"target": str(target.id), "reason": "Same"}).status_code == 302
    # Merging into a staff board is refused (test_thread_merging); moving the target there later
    # is not, and the old address must then not tell members where it went.
    thread_moving.move_thread(moderator, db.session.get(Thread, target.id), staff, "Internal")
    login(member)
    assert client.get(f"/t/{source.id}").status_code == 404


@pytest.mark.parametrize(("target", "status", "message"), [
    ("", 400, "number or its address"),
    ("not a thread", 400, "number or its address"),
    ("999999", 400, "no thread number 999999"),
    ("self", 400, "into itself"),
])
def test_merge_refusals_show_beside_the_form(client, login, board, member, moderator, target,
                                             status, message):
    source = _thread(board, member, "Source", 0)
    login(moderator)
    response = client.post(f"/mod/threads/{source.id}/merge", data={
        "target": str(source.id) if target == "self" else target, "reason": "Same"})
    assert response.status_code == status
    assert message in text(response) and "Merge or split" in text(response)


def test_the_other_thread_is_read_quickly_from_whatever_is_pasted():
    import time

    from forum.blueprints.moderation.thread_forms import thread_number

    assert thread_number(" 42 ") == 42
    assert thread_number("/t/42-some-title") == 42
    assert thread_number("https://forum.example/t/42-title?page=2#p9") == 42
    assert thread_number("https://forum.example/b/x/t/7/t/42") == 42
    assert thread_number("http://x/t/abc/t/42/t/oops") == 42
    for bad in ("", "x", "/t/", "/t/1234567890123", "/t/42x", "/t/4\n2"):
        with pytest.raises(ValueError, match="number or its address"):
            thread_number(bad)
    started = time.perf_counter()
    for hostile in ("/t/1/" * 60 + "\nx", "/t/1/" * 4000 + "\nx", "/t/" * 100 + "x"):
        with pytest.raises(ValueError):
            thread_number(hostile)
    assert time.perf_counter() - started < 0.1
    with pytest.raises(ValueError, match="too long"):
        thread_number("/t/1" + "-" * 400)


def test_a_long_pasted_address_is_refused_beside_the_form(client, login, board, member,
                                                          moderator):
    source = _thread(board, member, "Source", 0)
    login(moderator)
    response = client.post(f"/mod/threads/{source.id}/merge", data={
        "target": "/t/1/" * 4000 + "\nx", "reason": "Same"})
    assert response.status_code == 400 and "too long" in text(response)


def test_merge_into_a_board_the_moderator_does_not_moderate(client, login, board, member):
    other = factories.make_board(slug="other")
    target = _thread(other, member, "Elsewhere", 0)
    source = _thread(board, member, "Here", 0)
    login(factories.make_board_moderator(factories.make_user(), board))
    response = client.post(f"/mod/threads/{source.id}/merge",
                           data={"target": str(target.id), "reason": "Same"})
    assert response.status_code == 403 and "moderate this board" in text(response)
    assert db.session.get(Thread, source.id).merged_into_id is None


def test_split_page_lists_posts_with_checkboxes(client, login, board, member, moderator):
    thread = _thread(board, member, "Mixed", 3)
    ids = _ids(thread)
    login(moderator)
    html = text(client.get(f"/mod/threads/{thread.id}/split"))
    assert "Opening post" in html
    assert f'name="post" value="{ids[0]}"' not in html
    for post_id in ids[1:]:
        assert f'name="post" value="{post_id}"' in html


def test_split_form_into_a_new_thread(client, login, board, member, moderator):
    thread = _thread(board, member, "Mixed", 3)
    ids = _ids(thread)
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/split", data={
        "post": [str(ids[1]), str(ids[3])], "mode": "new", "title": "Spin-off",
        "board": board.slug, "reason": "Own topic"})
    assert response.status_code == 302
    db.session.expire_all()
    created = db.session.scalar(select(Thread).where(Thread.title == "Spin-off"))
    assert _ids(created) == [ids[1], ids[3]]
    assert _ids(db.session.get(Thread, thread.id)) == [ids[0], ids[2]]
    # The permalink of a moved post leads to its new place.
    assert client.get(f"/p/{ids[3]}").headers["Location"].endswith(
        f"/t/{created.id}-spin-off#p{ids[3]}")


@pytest.mark.parametrize(("data", "message"), [
    ({"mode": "new", "title": "X"}, "Choose the posts"),
    ({"mode": "new", "title": "X", "post": "first"}, "opening post"),
    ({"mode": "new", "title": "X", "post": "abc"}, "chosen post"),
    ({"mode": "existing", "target": "", "post": "second"}, "number or its address"),
    ({"mode": "existing", "target": "self", "post": "second"}, "already in this one"),
    ({"mode": "sideways", "post": "second"}, "Choose where"),
])
def test_split_refusals_show_beside_the_form(client, login, board, member, moderator, data,
                                             message):
    thread = _thread(board, member, "Mixed", 2)
    ids = _ids(thread)
    login(moderator)
    data = dict(data, reason="Tidy", board=board.slug)
    if data.get("post") == "first":
        data["post"] = str(ids[0])
    elif data.get("post") == "second":
        data["post"] = str(ids[1])
    if data.get("target") == "self":
        data["target"] = str(thread.id)
    response = client.post(f"/mod/threads/{thread.id}/split", data=data)
    assert response.status_code == 400, text(response)
    assert message in text(response)
    assert _ids(db.session.get(Thread, thread.id)) == ids


# -- at the same moment --------------------------------------------------------------------------
def _client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_cookie(user)
        session["_fresh"] = True
    return client


def _check_threads_and_boards(*boards: Board) -> None:
    db.session.expire_all()
    for thread in db.session.scalars(select(Thread).where(Thread.merged_into_id.is_(None))):
        numbers = list(db.session.scalars(select(Post.position)
                                          .where(Post.thread_id == thread.id)
                                          .order_by(Post.position)))
        assert numbers == list(range(1, thread.post_seq + 1)), (thread.title, numbers)
        visible = db.session.scalar(select(func.count()).select_from(Post).where(
            Post.thread_id == thread.id, Post.is_deleted.is_(False)))
        assert thread.reply_count == visible - 1, thread.title
    for board in boards:
        fresh = db.session.get(Board, board.id)
        posts = db.session.scalar(
            select(func.count()).select_from(Post).join(Thread, Thread.id == Post.thread_id)
            .where(Thread.board_id == board.id, Thread.is_deleted.is_(False),
                   Post.is_deleted.is_(False)))
        threads = db.session.scalar(select(func.count()).select_from(Thread).where(
            Thread.board_id == board.id, Thread.is_deleted.is_(False)))
        assert (fresh.post_count, fresh.thread_count) == (posts, threads), board.slug


@pytest.mark.parametrize("action", ["split into existing", "split into new", "merge"])
def test_replies_racing_a_merge_or_split_keep_positions_gap_free(app, board, moderator, action):
    repliers = [factories.make_user() for _ in range(4)]
    source = _thread(board, repliers[0], "Source", 8)
    target = _thread(board, repliers[1], "Target", 4)
    ids = _ids(source)
    source_id, target_id, slug = source.id, target.id, board.slug
    moderator_client = _client_for(app, moderator)
    clients = [_client_for(app, user) for user in repliers]
    db.session.commit()
    barrier = threading.Barrier(len(clients) + 1)
    statuses: list[int] = []
    outcome: list[int] = []

    def reply(client, n: int) -> None:
        barrier.wait(30)
        for i in range(4):
            thread_id = (source_id, target_id)[(n + i) % 2]
            statuses.append(client.post(f"/t/{thread_id}/reply",
                                        data={"body": f"Reply {n}.{i}"}).status_code)

    def moderate() -> None:
        barrier.wait(30)
        if action == "merge":
            data = {"target": str(target_id), "reason": "Same"}
            outcome.append(moderator_client.post(f"/mod/threads/{source_id}/merge",
                                                 data=data).status_code)
            return
        data = {"post": [str(ids[2]), str(ids[5]), str(ids[6])], "reason": "Tidy"}
        if action == "split into new":
            data.update(mode="new", title="Spin-off", board=slug)
        else:
            data.update(mode="existing", target=str(target_id))
        outcome.append(moderator_client.post(f"/mod/threads/{source_id}/split",
                                             data=data).status_code)

    workers = [threading.Thread(target=reply, args=(client, n))
               for n, client in enumerate(clients)]
    workers.append(threading.Thread(target=moderate))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(90)
    assert not any(worker.is_alive() for worker in workers), "a request hung"
    assert outcome == [302], outcome
    # Replies land (302) or, sent to a thread merged a moment before, are refused (409).
    assert len(statuses) == 16 and set(statuses) <= {302, 409}, statuses
    if action != "merge":
        assert statuses.count(302) == 16
    _check_threads_and_boards(board)
    db.session.expire_all()
    total = db.session.scalar(select(func.count()).select_from(Post))
    assert total == 9 + 5 + statuses.count(302)


def test_the_tools_of_a_merged_thread_say_where_it_went(client, login, board, member,
                                                        moderator):
    target = _thread(board, member, "Target", 0)
    source = _thread(board, member, "Source", 0)
    login(moderator)
    client.post(f"/mod/threads/{source.id}/merge",
                data={"target": str(target.id), "reason": "Same"})
    html = text(client.get(f"/mod/threads/{source.id}"))
    assert "was merged into" in html and f"/mod/threads/{target.id}" in html
    assert "Restore the thread" not in html
