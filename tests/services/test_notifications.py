"""The notification centre."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Notification, NotificationKind
from forum.services import notification_texts, notifications
from tests import factories

from .moderation_kit import T0


def said(note: Notification) -> str:
    return notification_texts.shown(note).text


def make(user, n: int, start=T0) -> list[Notification]:
    made = [
        notifications.notify(user, NotificationKind.REPLY, "post.reply",
                             {"name": "ann", "title": f"reply {i}"}, f"/p/{i}",
                             now=start + timedelta(minutes=i))
        for i in range(n)
    ]
    db.session.commit()
    return made


def test_notify_joins_the_callers_transaction(member, other_member):
    note = notifications.notify(member, NotificationKind.QUOTE, "post.quote",
                                {"name": "other", "title": "Hi"}, "/p/1", actor=other_member,
                                now=T0)
    assert note in db.session.new
    db.session.rollback()
    assert db.session.scalar(select(func.count(Notification.id))) == 0

    notifications.notify(member, "quote", "post.quote", {"name": "other", "title": "Hi"}, "/p/1",
                         actor=other_member, now=T0)
    db.session.commit()
    [saved] = db.session.scalars(select(Notification)).all()
    assert (saved.recipient_id, saved.kind, saved.actor_id, saved.created_at) == (
        member.id, "quote", other_member.id, T0)
    assert not saved.is_read
    assert (saved.key, saved.params, saved.text) == (
        "post.quote", {"name": "other", "title": "Hi"}, "")
    assert said(saved) == "other quoted you in “Hi”"


def test_nobody_is_notified_of_their_own_doing(member):
    assert notifications.notify(member, "reply", "post.reply", {"name": "me", "title": "T"},
                                actor=member) is None


def test_an_unknown_key_is_refused(member):
    with pytest.raises(ValueError):
        notifications.notify(member, "reply", "replied")


def test_words_are_capped_and_long_links_dropped(member):
    note = notifications.notify(member, "moderation", "post.hidden",
                                {"title": "T", "reason": "x" * 6000, "empty": None},
                                "/" + "y" * 400)
    assert len(note.params["reason"]) == notifications.WORDS_MAX and "empty" not in note.params
    assert note.link is None  # too long to be a link of ours
    db.session.rollback()


def _unread(user) -> int:
    """The bell's count, through the statement the page header runs."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(notifications.unread_count_query()),
                             {"viewer_id": user.id}) or 0


def test_unread_count(member, other_member):
    make(member, 3)
    make(other_member, 1)
    assert _unread(member) == 3
    assert _unread(AnonymousUserMixin()) == 0


def test_list_for_newest_first_in_pages(member, count_queries):
    make(member, 5)
    _ = member.id  # reloaded after the commit, outside the count
    with count_queries() as queries:
        page = notifications.list_for(member, page=1, per_page=2)
        _ = [n.actor for n in page.items]
    assert len(queries) == 2
    assert [said(n) for n in page.items] == ["ann replied to “reply 4”",
                                             "ann replied to “reply 3”"]
    assert (page.page, page.pages, page.total) == (1, 3, 5)
    assert [said(n) for n in notifications.list_for(member, 3, per_page=2).items] == [
        "ann replied to “reply 0”"]
    with pytest.raises(NotFound):
        notifications.list_for(member, 4, per_page=2)
    # An empty centre still has its first page.
    empty = notifications.list_for(factories.make_user())
    assert (empty.total, empty.pages, empty.items) == (0, 1, [])


def test_mark_read_touches_only_ones_own(member, other_member):
    mine = make(member, 3)
    theirs = make(other_member, 1)

    changed = notifications.mark_read(member, [mine[0].id, mine[1].id, theirs[0].id], now=T0)

    assert changed == 2
    assert _unread(member) == 1
    assert _unread(other_member) == 1
    assert notifications.mark_read(member, [mine[0].id]) == 0  # already read
    assert notifications.mark_read(member, []) == 0


def test_mark_all_read(member, other_member):
    make(member, 3)
    make(other_member, 2)
    assert notifications.mark_all_read(member, now=T0) == 3
    assert _unread(member) == 0
    assert _unread(other_member) == 2
    db.session.expire_all()
    assert {n.read_at for n in notifications.list_for(member).items} == {T0}


def test_open_notification(member, other_member):
    [note] = make(member, 1)
    assert notifications.open_notification(member, note.id, now=T0) == "/p/0"
    assert note.read_at == T0
    with pytest.raises(NotFound):
        notifications.open_notification(other_member, note.id)
    with pytest.raises(NotFound):
        notifications.open_notification(member, 9999)


def test_the_same_moderation_twice_tells_the_author_twice(member):
    # Nothing may be kept between calls: not a notice (it would go missing), not the post
    # (it would stay in memory for the life of the process).
    thread = factories.make_thread(factories.make_board(), author=member)
    post = factories.make_post(thread, author=member, body="Heated words")
    for _ in range(2):
        notifications.notify_moderated(post, "hid", "Keep it civil", now=T0)
    db.session.commit()
    told = db.session.scalars(select(Notification).where(
        Notification.recipient_id == member.id, Notification.kind == NotificationKind.MODERATION))
    assert [said(note) for note in told] == [f"A moderator hid your post in “{thread.title}”."] * 2
