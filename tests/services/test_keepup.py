"""Keeping up: who hears of a new post (watching, mentions, quotes, once each), reading state
and the unread lists, reactions counted in SQL, bookmarks and their reminders."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import NotFound, Refused
from forum.extensions import db
from forum.models import (
    Access,
    Notification,
    NotificationKind,
    Reaction,
    ReactionCount,
    Setting,
    ThreadRead,
    WatchLevel,
    utcnow,
)
from forum.policy import Policy
from forum.services.content import bookmarks, posting, reactions, reading_state, watching
from forum.services.moderation import sanctions
from forum.services.site import timers
from forum.stores import settings as settings_store
from tests import factories
from tests.factories import said


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Bench vices", body="Which vice?")


def notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id).order_by(Notification.id)))


def level_of(user, thread) -> str | None:
    return db.session.scalar(select(ThreadRead.level).where(
        ThreadRead.user_id == user.id, ThreadRead.thread_id == thread.id))


def set_setting(name: str, value) -> None:
    db.session.merge(Setting(name=name, value=value))
    db.session.commit()
    settings_store.clear_cache()


# -- watching -----------------------------------------------------------------------------------
def test_authors_watch_their_threads_and_repliers_track(thread, member, other_member):
    posting.reply(other_member, thread, "A Record No. 4")
    assert level_of(member, thread) == WatchLevel.WATCHING
    assert level_of(other_member, thread) == WatchLevel.TRACKING
    assert [n.kind for n in notes(other_member)] == []


def test_account_defaults_turn_both_off(board, member, other_member):
    watching.set_defaults(member, watch_started=False, track_replied=False)
    watching.set_defaults(other_member, watch_started=False, track_replied=False)
    thread = factories.make_thread(board, author=member)
    posting.reply(other_member, thread, "hi")
    assert level_of(member, thread) is None and level_of(other_member, thread) is None
    assert notes(member) == []


def test_a_thread_level_wins_over_the_board_and_muting_silences(board, thread, member,
                                                                other_member):
    watching.set_board_level(other_member, board, "watching")
    posting.reply(member, thread, "one")
    assert [n.kind for n in notes(other_member)] == ["watched"]
    watching.set_thread_level(other_member, thread, "muted")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    posting.reply(member, thread, "two")
    assert notes(other_member) == []


def test_board_watchers_hear_of_new_threads(board, member, other_member):
    watching.set_board_level(other_member, board, "watching")
    thread = factories.make_thread(board, author=member, title="Fresh")
    [note] = notes(other_member)
    assert note.link == f"/t/{thread.id}/unread" and said(note) == \
        "1 new post in “Fresh”, by member"


def test_fan_out_is_two_statements_whatever_the_number_of_watchers(thread, member,
                                                                   count_queries):
    watchers = factories.quick_users(30, prefix="w")
    for user in watchers:
        watching.set_thread_level(user, thread, "watching")
    writer = factories.make_user()
    with count_queries() as few:
        posting.reply(writer, thread, "first")
    with count_queries() as again:
        posting.reply(writer, thread, "second")
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "watched"))
    assert told == 31  # every watcher and the author, once each, grouped
    assert {n.count for n in db.session.scalars(select(Notification))} == {2}
    inserts = [q for q in few if q.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")]
    assert len(inserts) == 1 and len(few) == len(again)


def test_one_notification_for_a_reply_that_quotes_mentions_and_is_watched(thread, member,
                                                                          other_member):
    from forum.common import markup

    quoted = thread.first_post
    body = markup.quote(member.name, quoted.body, quoted.id) + f"Right, @{member.username}!"
    posting.reply(other_member, thread, body)
    assert [n.kind for n in notes(member)] == ["mention"]


def test_watchers_who_lost_the_board_hear_nothing(board, thread, member, other_member):
    watching.set_thread_level(other_member, thread, "watching")
    board.access = Access.STAFF
    db.session.commit()
    posting.reply(factories.make_user(role="moderator"), thread, "Staff only now")
    assert notes(other_member) == []
    assert [n.kind for n in notes(member)] == []


def test_levels_are_refused_for_guests_unknown_levels_and_closed_boards(board, thread,
                                                                         member):
    with pytest.raises(Refused) as guest:
        watching.set_thread_level(Policy(None).user, thread, "watching")
    assert guest.value.login_required
    with pytest.raises(Refused) as bad:
        watching.set_thread_level(member, thread, "loud")
    assert bad.value.status == 400
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    with pytest.raises(Refused):
        watching.set_board_level(member, staff, "watching")


# -- reading state ------------------------------------------------------------------------------
def test_unread_counts_and_marking(other_member, app, board, thread, member):
    # (other_member signed up before the thread started: it is new to them.)
    for n in range(3):
        posting.reply(member, thread, f"post {n}")
    viewer = Policy(other_member)
    page = reading_state.unread_threads(viewer, only_followed=False)
    assert [(t.id, mark.count, mark.first) for t, mark in page.items] == [(thread.id, 4, 1)]
    assert reading_state.unread_threads(viewer, only_followed=True).items == []
    loaded = db.session.get(type(thread), thread.id)
    loaded.read_position = None
    assert reading_state.mark_read(viewer, loaded, 2)
    loaded.read_position = 2
    assert not reading_state.mark_read(viewer, loaded, 2)  # already read that far: no write
    assert reading_state.mark_read(viewer, loaded, 4)
    assert reading_state.unread_threads(viewer, only_followed=False).items == []
    posting.reply(member, thread, "one more")
    [(_t, mark)] = reading_state.unread_threads(viewer, only_followed=False).items
    assert (mark.count, mark.first) == (1, 5)


def test_muted_threads_are_never_new(other_member, thread, member):
    watching.set_thread_level(other_member, thread, "muted")
    posting.reply(member, thread, "more")
    assert reading_state.unread_threads(Policy(other_member), False).items == []


def test_marking_a_board_and_everything_read(other_member, board, thread, member):
    elsewhere = factories.make_board(slug="elsewhere")
    other = factories.make_thread(elsewhere, author=member, title="Other")
    viewer = Policy(other_member)
    assert len(reading_state.unread_threads(viewer, False).items) == 2
    reading_state.mark_board_read(other_member, board, now=utcnow() + timedelta(seconds=1))
    assert [t.id for t, _m in reading_state.unread_threads(viewer, False).items] == [other.id]
    reading_state.mark_everything_read(other_member, now=utcnow() + timedelta(seconds=1))
    db.session.refresh(other_member)
    assert reading_state.unread_threads(Policy(other_member), False).items == []


def test_threads_in_boards_one_cannot_read_are_never_listed(member, other_member):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    factories.make_thread(staff, author=factories.make_user(role="moderator"))
    assert reading_state.unread_threads(Policy(member), False).items == []


# -- mentions -----------------------------------------------------------------------------------
def test_mentions_link_and_tell_only_who_may_read(board, thread, member, other_member):
    staff_member = factories.make_user(username="sam", role="moderator")
    post = posting.reply(other_member, thread,
                         f"@{member.username} and @SAM and @nobody and `@{member.username}`")
    assert f'<a href="/u/{member.username}" class="mention"' in post.body_html
    assert '<a href="/u/sam" class="mention"' in post.body_html
    assert "@nobody" in post.body_html and "/u/nobody" not in post.body_html
    assert [n.kind for n in notes(member)] == ["mention"]
    assert [n.kind for n in notes(staff_member)] == ["mention"]
    assert post.unheard_mentions == ["nobody"]
    hidden = factories.make_board(slug="hidden", access=Access.STAFF)
    secret = factories.make_thread(hidden, author=staff_member, title="Secret")
    posting.reply(staff_member, secret, f"cc @{other_member.username}")
    assert notes(other_member) == []


def test_mentions_in_quotes_and_code_tell_nobody(thread, member, other_member):
    posting.reply(other_member, thread,
                  f"> @{member.username} said so\n\n```\n@{member.username}\n```\n")
    assert [n.kind for n in notes(member)] == ["watched"]


def test_at_most_the_setting_are_told(thread, other_member):
    set_setting("mentions_max", 2)
    people = factories.quick_users(4, prefix="m")
    posting.reply(other_member, thread, " ".join(f"@{p.username}" for p in people))
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "mention"))
    assert told == 2


def test_team_mentions_tell_the_boards_moderators(board, thread, member, other_member):
    here = factories.make_board_moderator(factories.make_user(), board)
    elsewhere = factories.make_board_moderator(factories.make_user(),
                                               factories.make_board(slug="else"))
    chief = factories.make_user(role="moderator")
    posting.reply(other_member, thread, "@team spam above")
    assert [n.kind for n in notes(here)] == ["team_mention"]
    assert [n.kind for n in notes(chief)] == ["team_mention"]
    assert notes(elsewhere) == []


def test_edits_tell_only_newly_mentioned(thread, member, other_member):
    third = factories.make_user(username="third")
    post = posting.reply(other_member, thread, f"hi @{member.username}")
    posting.edit_post(other_member, post, f"hi @{member.username} and @third")
    assert [n.kind for n in notes(member)] == ["mention"]
    assert [n.kind for n in notes(third)] == ["mention"]


def test_suspended_members_are_not_told(thread, member, other_member):
    chief = factories.make_user(role="admin")
    sanctions.suspend(chief, member, "Cooling off", utcnow() + timedelta(days=1))
    db.session.execute(db.delete(Notification))
    db.session.commit()
    post = posting.reply(other_member, thread, f"@{member.username}?")
    assert [n.kind for n in notes(member) if n.kind == "mention"] == []
    assert post.unheard_mentions == [member.username]


# -- reactions ----------------------------------------------------------------------------------
def counts(post) -> dict[str, int]:
    return dict(db.session.execute(select(ReactionCount.kind, ReactionCount.n).where(
        ReactionCount.post_id == post.id)).all())


def test_reactions_count_once_and_tell_the_author_grouped(thread, member):
    post = thread.first_post
    fans = [factories.make_established_user() for _ in range(3)]
    for fan in fans:
        assert reactions.react(fan, post, "thanks", add=True)
    assert not reactions.react(fans[0], post, "thanks", add=True)  # already there
    reactions.react(fans[0], post, "love", add=True)
    assert counts(post) == {"thanks": 3, "love": 1}
    db.session.refresh(member)
    assert member.reactions_received == 4
    [note] = [n for n in notes(member) if n.kind == NotificationKind.REACTION]
    assert note.count == 4 and said(note).startswith("4 reactions to your post")
    assert reactions.react(fans[1], post, "thanks", add=False)
    assert not reactions.react(fans[1], post, "thanks", add=False)
    assert counts(post) == {"thanks": 2, "love": 1}
    db.session.refresh(member)
    assert member.reactions_received == 3


def test_reactions_refused_where_they_should_be(board, thread, member, other_member):
    post = thread.first_post
    with pytest.raises(Refused):
        reactions.react(member, post, "thanks", add=True)  # own post
    with pytest.raises(Refused) as unknown:
        reactions.react(other_member, post, "shrug", add=True)
    assert unknown.value.status == 400
    reply = posting.reply(member, thread, "gone soon")
    posting.delete_post(member, reply)
    with pytest.raises(Refused):
        reactions.react(other_member, reply, "thanks", add=True)
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    secret = factories.make_thread(staff, author=factories.make_user(role="moderator"))
    with pytest.raises(Refused):
        reactions.react(other_member, secret.first_post, "thanks", add=True)
    assert db.session.scalar(select(func.count()).select_from(Reaction)) == 0


def test_new_members_have_a_daily_limit(thread, member):
    set_setting("new_member_reactions_per_day", 1)
    newcomer = factories.make_user()
    post = thread.first_post
    reactions.react(newcomer, post, "thanks", add=True)
    with pytest.raises(Refused) as limited:
        reactions.react(newcomer, post, "love", add=True)
    assert limited.value.status == 429


def test_the_thread_page_shows_counts_from_the_kept_page(client, thread, member, other_member):
    client.get(thread.url)  # kept for everyone
    reactions.react(other_member, thread.first_post, "hooray", add=True)
    html = client.get(thread.url).get_data(as_text=True)
    assert "🎉" in html and "/reactions\">Reactions</a>" in html


# -- bookmarks ----------------------------------------------------------------------------------
def test_bookmarks_keep_a_note_and_remind_once(thread, member, other_member):
    now = utcnow()
    post = thread.first_post
    saved = bookmarks.save(other_member, post, "Buy this vice", now + timedelta(hours=1), now=now)
    again = bookmarks.save(other_member, post, "Buy this vice, really",
                           now + timedelta(hours=2), now=now)
    assert again.id == saved.id and again.note == "Buy this vice, really"
    assert timers.run_timers(now + timedelta(hours=1)).bookmark_reminders == 0
    assert timers.run_timers(now + timedelta(hours=3)).bookmark_reminders == 1
    assert timers.run_timers(now + timedelta(hours=4)).bookmark_reminders == 0
    [note] = [n for n in notes(other_member) if n.kind == "bookmark"]
    assert said(note) == "Reminder: your bookmark in “Bench vices”"
    listing = bookmarks.list_for(Policy(other_member))
    assert [b.id for b in listing.items] == [saved.id]


def test_bookmarks_refuse_bad_input(thread, other_member):
    post = thread.first_post
    now = utcnow()
    with pytest.raises(Refused) as past:
        bookmarks.save(other_member, post, None, now - timedelta(minutes=1), now=now)
    assert past.value.status == 400
    with pytest.raises(Refused) as long:
        bookmarks.save(other_member, post, "x" * 501, None)
    assert long.value.status == 400
    with pytest.raises(NotFound):
        bookmarks.remove(other_member, 999)


def test_no_reminder_about_a_post_one_can_no_longer_read(board, thread, other_member):
    now = utcnow()
    bookmarks.save(other_member, thread.first_post, None, now + timedelta(minutes=5), now=now)
    board.access = Access.STAFF
    db.session.commit()
    assert bookmarks.send_reminders(now + timedelta(minutes=10)) == 0
    assert bookmarks.list_for(Policy(other_member)).items == []


def test_the_profile_counts_reactions_received(client, thread, member, other_member):
    reactions.react(other_member, thread.first_post, "thanks", add=True)
    html = client.get(f"/u/{member.username}").get_data(as_text=True)
    assert "Reactions received" in html
    assert html[html.index("Reactions received"):].split("<dd>")[1].startswith("1<")


def test_a_member_who_blocked_the_writer_hears_nothing_of_their_posts(thread, member,
                                                                      other_member):
    from forum.common import markup
    from forum.services import blocks

    reader = factories.make_user(username="reader")
    watching.set_thread_level(reader, thread, WatchLevel.WATCHING.value)
    blocks.block(member, other_member)
    blocks.block(reader, other_member)
    first = posting.reply(member, thread, "My first answer")
    # The thread's author (watching it) is quoted and mentioned; the reader watches and is
    # mentioned: both blocked the writer, so neither hears a thing.
    body = (markup.quote(member.name, first.body, first.id)
            + f"@{member.username} @{reader.username} sure?")
    posting.reply(other_member, thread, body)

    def from_writer(user):
        return [n.kind for n in notes(user) if n.actor_id == other_member.id]

    assert from_writer(member) == [] and from_writer(reader) == []
    blocks.unblock(reader, other_member)
    posting.reply(other_member, thread, f"@{reader.username} again")
    assert from_writer(reader) == ["mention"]
