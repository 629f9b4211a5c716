"""Replies tell those watching the thread (its author, by default), quotes tell the quoted:
once per person, never oneself, never about what they may not read; and the quote markup that
makes it possible."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from forum.common import markup
from forum.errors import Refused
from forum.extensions import db
from forum.models import Access, Notification, NotificationKind, Post
from forum.services.content import posting
from tests import factories
from tests.factories import said

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Bench vices", body="Which vice?")


def notes(user=None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.recipient_id == user.id)
    return list(db.session.scalars(query))


def kinds(user) -> list[str]:
    return [note.kind for note in notes(user)]


def quoting(post: Post, text: str = "Agreed.") -> str:
    return markup.quote(post.author.name, post.body, post.id) + text


# -- the quote markup ----------------------------------------------------------------------------
def test_quote_links_the_author_to_the_post_and_stays_readable():
    source = markup.quote("Ada", "First line\n\nSecond line", 42)
    assert source == "**[Ada](/p/42)** wrote:\n> First line\n>\n> Second line\n\n"
    html = markup.render(source)
    assert '<strong><a href="/p/42" rel="nofollow ugc noopener">Ada</a></strong> wrote:' in html
    assert "<blockquote>" in html
    assert markup.quotes(source) == [markup.QuoteRef("Ada", 42)]


def test_quote_without_a_post_keeps_the_old_form():
    source = markup.quote("member", "Opening post")
    assert source == "**member** wrote:\n> Opening post\n\n"
    assert markup.quotes(source) == [markup.QuoteRef("member")]


def test_a_quote_is_headed_in_the_quoters_language_and_still_found(app):
    with force_locale("de"):
        linked = markup.quote("Ada", "Erste Zeile", 42)
        plain = markup.quote("Bea", "Zweite Zeile")
    assert linked.startswith("**[Ada](/p/42)** schrieb:\n> Erste Zeile")
    assert plain.startswith("**Bea** schrieb:\n")
    assert markup.quotes(linked + plain) == [markup.QuoteRef("Ada", 42), markup.QuoteRef("Bea")]
    # An unlinked header is only a quote with a verb a translation uses.
    assert markup.quotes("**Note** this:\n> not a quote\n") == []


@pytest.mark.parametrize("name", ["Jo_Ann", "[x](javascript:1)", "a\\b", "*Star* `tick` <b>&"])
def test_names_with_markdown_characters_round_trip(name):
    source = markup.quote(name, "hi", 7)
    assert markup.quotes(source) == [markup.QuoteRef(name, 7)]
    html = markup.render(source)
    assert "javascript" not in html.split('href="')[1].split('"')[0]
    assert "<b>" not in html


def test_only_the_posts_own_quotes_count():
    nested = markup.quote("Bob", markup.quote("Carol", "deep", 3), 2)
    source = (
        nested
        + "```\n" + markup.quote("Dave", "code", 4) + "```\n\n"
        + "- " + markup.quote("Erin", "in a list", 5)
        + "# **[Finn](/p/6)** wrote:\n> a heading, not a quote\n\n"
        + "**[Gus](/p/8)** wrote:\n\nno quote follows\n\n"
        + "Some text\n" + markup.quote("Hal", "after text on the same paragraph", 9)
        + markup.quote("Bob", "again", 2)
    )
    assert markup.quotes(source) == [markup.QuoteRef("Bob", 2), markup.QuoteRef("Hal", 9)]


def test_quotes_of_nothing():
    assert markup.quotes("") == []
    assert markup.quotes("plain **text** wrote:") == []


# -- replies ----------------------------------------------------------------------------------
def test_reply_notifies_the_thread_author(thread, member, other_member):
    posting.reply(other_member, thread, "Try a Record No. 4", now=T0)

    [note] = notes()
    assert note.recipient_id == member.id
    assert note.kind == NotificationKind.WATCHED
    assert said(note) == "1 new post in “Bench vices”, by other"
    assert note.link == f"/t/{thread.id}/unread"
    assert note.actor_id == other_member.id
    assert note.created_at == T0
    assert note.read_at is None


def test_reply_uses_the_display_name(thread, member, other_member):
    other_member.display_name = "Olive Other"
    db.session.commit()
    posting.reply(other_member, thread, "Hello")
    assert said(notes(member)[0]) == "1 new post in “Bench vices”, by Olive Other"


def test_no_notification_for_replying_to_yourself(thread, member):
    posting.reply(member, thread, "Bumping my own thread")
    assert notes() == []


def test_replies_are_grouped_while_unread(thread, member, other_member):
    posting.reply(other_member, thread, "One")
    posting.reply(other_member, thread, "Two")
    [note] = notes(member)
    assert (note.kind, note.count) == ("watched", 2)
    assert said(note) == "2 new posts in “Bench vices”, the latest by other"
    note.read_at = T0
    db.session.commit()
    posting.reply(other_member, thread, "Three")
    assert [(n.kind, n.count) for n in notes(member)] == [("watched", 2), ("watched", 1)]


def test_a_refused_reply_notifies_nobody(thread, member, other_member):
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(Refused):
        posting.reply(other_member, thread, "Let me in")
    db.session.rollback()
    assert notes() == []
    assert db.session.scalar(select(func.count(Post.id))) == 1


# -- quotes -----------------------------------------------------------------------------------
def test_quote_notifies_the_quoted_author_and_the_thread_author(thread, member, other_member):
    quoted = factories.make_post(thread, author=other_member, body="I like Record vices")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")

    post = posting.reply(third, thread, quoting(quoted))

    [to_other] = notes(other_member)
    assert to_other.kind == NotificationKind.QUOTE
    assert said(to_other) == "third quoted you in “Bench vices”"
    assert to_other.link == post.url and to_other.actor_id == third.id
    assert kinds(member) == ["watched"]


def test_quoting_the_thread_author_gives_one_quote_not_a_reply_too(thread, member, other_member):
    posting.reply(other_member, thread, quoting(thread.first_post))
    assert kinds(member) == ["quote"]


def test_quoting_one_person_many_times_is_one_notification(thread, member, other_member):
    first = factories.make_post(thread, author=other_member, body="first")
    second = factories.make_post(thread, author=other_member, body="second")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")
    body = quoting(first, "") + quoting(second, "") + quoting(first, "both good")

    posting.reply(third, thread, body)

    assert kinds(other_member) == ["quote"]
    assert kinds(member) == ["watched"]
    assert len(notes()) == 2


def test_quoting_yourself_tells_nobody_but_the_thread_author(thread, member, other_member):
    mine = factories.make_post(thread, author=other_member, body="my earlier point")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    posting.reply(other_member, thread, quoting(mine, "and another thing"))
    assert kinds(other_member) == []
    assert kinds(member) == ["watched"]


def test_several_quoted_members_each_hear_once(thread, member):
    people = [factories.make_user(username=f"person{n}") for n in range(3)]
    posts = [factories.make_post(thread, author=person, body=f"view {n}")
             for n, person in enumerate(people)]
    db.session.execute(db.delete(Notification))
    db.session.commit()
    writer = factories.make_user(username="writer")

    posting.reply(writer, thread, "".join(quoting(post, "") for post in posts) + "All fair.")

    for person in people:
        assert kinds(person) == ["quote"]
    assert kinds(member) == ["watched"]


def test_quote_of_a_post_in_another_thread_tells_nobody(board, thread, member, other_member):
    elsewhere = factories.make_thread(board, author=other_member, title="Elsewhere")
    third = factories.make_user(username="third")
    posting.reply(third, thread, quoting(elsewhere.first_post))
    assert kinds(other_member) == []
    assert kinds(member) == ["watched"]


def test_quote_of_a_missing_post_tells_nobody_else(thread, member, other_member):
    posting.reply(other_member, thread, "**[Ghost](/p/999999)** wrote:\n> boo\n\nhm")
    assert [(note.recipient_id, note.kind) for note in notes()] == [(member.id, "watched")]


def test_nested_quotes_only_tell_the_directly_quoted(thread, member, other_member):
    second = factories.make_post(thread, author=other_member, body=quoting(thread.first_post))
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")

    posting.reply(third, thread, quoting(second, "Quoting a quote"))

    assert kinds(other_member) == ["quote"]
    # The thread's author appears only inside the nested quote: told as a watcher, not a quote.
    assert kinds(member) == ["watched"]


def test_old_name_only_quotes_match_a_member_of_the_thread(thread, member, other_member):
    factories.make_post(thread, author=other_member, body="an opinion")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")

    posting.reply(third, thread, markup.quote("other", "an opinion") + "Yes")

    assert kinds(other_member) == ["quote"]
    assert kinds(member) == ["watched"]


def test_old_name_only_quotes_use_the_display_name(thread, member, other_member):
    other_member.display_name = "Olive"
    db.session.commit()
    factories.make_post(thread, author=other_member, body="an opinion")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")

    posting.reply(third, thread, markup.quote("Olive", "an opinion") + "Yes")

    assert kinds(other_member) == ["quote"]


def test_old_name_only_quotes_skip_namesakes_and_strangers(thread, member, other_member):
    other_member.display_name = "Sam"
    twin = factories.make_user(username="twin", display_name="Sam")
    stranger = factories.make_user(username="stranger")
    db.session.commit()
    factories.make_post(thread, author=other_member, body="one")
    factories.make_post(thread, author=twin, body="two")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")

    body = markup.quote("Sam", "one") + markup.quote("stranger", "never posted here") + "?"
    posting.reply(third, thread, body)

    assert kinds(other_member) == [] and kinds(twin) == [] and kinds(stranger) == []
    assert kinds(member) == ["watched"]


def test_quote_headers_in_code_are_not_quotes(thread, member, other_member):
    quoted = factories.make_post(thread, author=other_member, body="text")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")
    posting.reply(third, thread, "```\n" + quoting(quoted) + "\n```")
    assert kinds(other_member) == []


def test_quote_notifications_are_capped_per_reply(thread, member):
    people = factories.quick_users(posting.QUOTES_NOTIFIED_MAX + 3, prefix="q")
    posts = [Post(thread_id=thread.id, author_id=person.id, position=100 + n, body="x",
                  body_html="<p>x</p>", created_at=T0) for n, person in enumerate(people)]
    db.session.add_all(posts)
    db.session.commit()
    writer = factories.make_user(username="writer")

    posting.reply(writer, thread, "".join(quoting(post, "") for post in posts) + "!")

    quoted = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == "quote")
    )
    assert quoted == posting.QUOTES_NOTIFIED_MAX


# -- who may read it ----------------------------------------------------------------------------
def test_no_notification_about_a_thread_the_author_can_no_longer_read(app, member, moderator):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    thread = factories.make_thread(staff, author=member, title="Old staff thread")
    db.session.execute(db.delete(Notification))
    db.session.commit()

    posting.reply(moderator, thread, quoting(thread.first_post, "Staff only now"))

    assert notes(member) == []


def test_moderator_reply_in_a_deleted_thread_tells_nobody(thread, member, moderator):
    posting.delete_post(member, thread.first_post)
    posting.reply(moderator, thread, quoting(thread.first_post, "Noted for the record"))
    assert notes(member) == []


def test_staff_thread_author_who_is_staff_hears(app, moderator, admin):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    thread = factories.make_thread(staff, author=moderator, title="Rota")
    posting.reply(admin, thread, "Taking Tuesday")
    assert kinds(moderator) == ["watched"]


def test_text_is_stored_plain(board, member, other_member):
    # Escaping is the page's job; the service keeps the words as written.
    thread = factories.make_thread(board, author=member, title="<script>alert(1)</script>")
    posting.reply(other_member, thread, "hi")
    [note] = notes(member)
    assert said(note) == "1 new post in “<script>alert(1)</script>”, by other"
