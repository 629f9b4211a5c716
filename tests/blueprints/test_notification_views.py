"""The notification centre over HTTP: the list, marking read, following links safely."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from forum.blueprints.args import local_path as local_target
from forum.extensions import db
from forum.models import Notification, NotificationKind
from forum.services import notifications
from forum.services.content import posting
from tests import factories
from tests.factories import text

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def add(user, text_="Something happened", link="/p/1", actor=None, body=None, at=T0,
        kind=NotificationKind.REPLY, stored=False) -> Notification:
    """A notification whose line shows ``text_``: worded from a key (as the group's name), or
    ``stored`` as a row from before keys, English text and body as written."""
    if stored:
        note = Notification(recipient_id=user.id, kind=str(kind), text=text_, body=body,
                            link=link, actor_id=actor.id if actor else None, created_at=at)
        db.session.add(note)
    else:
        note = notifications.notify(user, kind, "group.added",
                                    {"group": text_, "message": body}, link, actor, now=at)
    db.session.commit()
    return note


def fresh(note: Notification) -> Notification:
    db.session.refresh(note)
    return note


def item(html: str, note_id: int) -> str:
    start = html.rindex("<li", 0, html.index(f'id="n{note_id}"'))
    return html[start: html.index("</li>", start)]


# -- the list --------------------------------------------------------------------------------------
def test_list_shows_newest_first_with_unread_highlighted(client, login, member, other_member):
    old = add(member, "other replied to “Old”", "/p/1", other_member, at=T0)
    new = add(member, "other quoted you in “New”", "/p/2", other_member,
              at=T0 + timedelta(hours=1), kind=NotificationKind.QUOTE)
    notifications.mark_read(member, [old.id])
    login(member)

    response = client.get("/notifications")
    assert response.status_code == 200
    html = text(response)
    assert html.index(f'id="n{new.id}"') < html.index(f'id="n{old.id}"')
    unread = item(html, new.id)
    assert "is-unread" in unread and ">New<" in unread
    assert f'href="/notifications/{new.id}"' in unread
    assert 'href="/u/other"' in unread and "<time" in unread
    assert f'name="ids" value="{new.id}"' in unread and "Mark read" in unread
    read = item(html, old.id)
    assert "is-unread" not in read and "Mark read" not in read
    assert "Mark all read" in html and 'action="/notifications/read-all"' in html
    assert "2 in all" in html and "1 unread" in html


def test_empty_list(client, login, member):
    login(member)
    html = text(client.get("/notifications"))
    assert "Nothing here yet." in html and "Mark all read" not in html


def test_notification_without_link_or_actor(client, login, member):
    note = add(member, "Your report was handled", link=None)
    login(member)
    part = item(text(client.get("/notifications")), note.id)
    assert "Your report was handled" in part
    assert f"/notifications/{note.id}" not in part and "user-link" not in part


def test_body_keeps_line_breaks_and_stays_escaped(client, login, member, moderator):
    body = "First line <b>bold?</b>\nSecond line <script>alert(1)</script>\n\nLast"
    note = add(member, "A warning from the moderators", None, body=body,
               kind=NotificationKind.SANCTION, stored=True)
    login(member)
    part = item(text(client.get("/notifications")), note.id)
    assert ("First line &lt;b&gt;bold?&lt;/b&gt;<br>Second line "
            "&lt;script&gt;alert(1)&lt;/script&gt;<br><br>Last") in part
    assert "<script>" not in part and "<b>" not in part


def test_hostile_text_and_names_are_inert(client, login, member, board_thread_by):
    villain = factories.make_user(username="villain", display_name="<img src=x onerror=alert(1)>")
    thread = board_thread_by(member, "<script>alert('t')</script>")
    posting.reply(villain, thread, "hi")
    login(member)
    html = text(client.get("/notifications"))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "1 new post in “&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;”, by &lt;img src=x " \
        "onerror=alert(1)&gt;" in html


def test_pages(client, login, member, app):
    app.config["NOTIFICATIONS_PER_PAGE"] = 3
    made = [add(member, f"note {n}", at=T0 + timedelta(minutes=n)) for n in range(7)]
    login(member)
    first = text(client.get("/notifications"))
    assert f'id="n{made[6].id}"' in first and f'id="n{made[3].id}"' not in first
    assert 'href="/notifications?page=2"' in first
    third = text(client.get("/notifications?page=3"))
    assert f'id="n{made[0].id}"' in third and f'id="n{made[1].id}"' not in third
    assert client.get("/notifications?page=4").status_code == 404
    assert client.get("/notifications?page=abc").status_code == 400
    assert client.get("/notifications?page=0").status_code == 400


def test_only_your_own_notifications(client, login, member, other_member):
    theirs = add(other_member, "Private to other")
    login(member)
    html = text(client.get("/notifications"))
    assert "Private to other" not in html and f'id="n{theirs.id}"' not in html


def test_guests_are_sent_to_log_in(client, member):
    note = add(member)
    for response in (client.get("/notifications"), client.get(f"/notifications/{note.id}"),
                     client.post("/notifications/read", data={"ids": note.id}),
                     client.post("/notifications/read-all")):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert fresh(note).read_at is None


def test_list_query_budget_does_not_grow(client, login, member, count_queries):
    actors = factories.quick_users(50, prefix="actor")
    for n in range(5):
        add(member, f"early {n}", actor=actors[n], at=T0 + timedelta(minutes=n))
    login(member)
    client.get("/notifications")  # settles the last-seen update

    with count_queries() as few:
        assert client.get("/notifications").status_code == 200
    for n in range(5, 50):
        add(member, f"late {n}", actor=actors[n], at=T0 + timedelta(minutes=n))
    with count_queries() as many:
        html = text(client.get("/notifications"))
    assert html.count('<li class="notification') == 30
    # The member, the list's count and page (actors joined in), the bell's unread count.
    assert len(few) == len(many) == 4


# -- marking read ----------------------------------------------------------------------------------
def test_mark_one_read(client, login, member):
    one, two = add(member, "one"), add(member, "two")
    login(member)
    response = client.post("/notifications/read", data={"ids": str(one.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications"
    assert fresh(one).read_at is not None and fresh(two).read_at is None
    assert "Marked as read." in text(client.get("/notifications"))


def test_mark_several_read_and_stay_on_the_page(client, login, member):
    one, two = add(member, "one"), add(member, "two")
    login(member)
    response = client.post("/notifications/read?page=2", data={"ids": [one.id, two.id]})
    assert response.headers["Location"] == "/notifications?page=2"
    assert fresh(one).read_at is not None and fresh(two).read_at is not None


def test_marking_someone_elses_does_nothing(client, login, member, other_member):
    theirs = add(other_member, "theirs")
    login(member)
    assert client.post("/notifications/read", data={"ids": theirs.id}).status_code == 302
    assert fresh(theirs).read_at is None


def test_ids_beyond_any_row_are_ignored(client, login, member):
    note = add(member)
    login(member)
    for ids in ("2147483648", "9" * 18, [str(note.id), "2147483648"]):
        assert client.post("/notifications/read", data={"ids": ids}).status_code == 302
    assert fresh(note).read_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a notification to mark as read."),
        ({"ids": ""}, "Notifications are chosen by number."),
        ({"ids": "abc"}, "Notifications are chosen by number."),
        ({"ids": "-1"}, "Notifications are chosen by number."),
        ({"ids": "1" * 19}, "Notifications are chosen by number."),
        ({"ids": "١٢"}, "Notifications are chosen by number."),
        ({"ids": [str(n) for n in range(1, 102)]}, "Mark at most 100 notifications at a time."),
    ],
)
def test_bad_ids_are_400(client, login, member, data, message):
    note = add(member)
    login(member)
    response = client.post("/notifications/read", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert fresh(note).read_at is None


def test_mark_all_read(client, login, member, other_member):
    mine = [add(member, f"n{n}") for n in range(3)]
    theirs = add(other_member, "theirs")
    login(member)
    response = client.post("/notifications/read-all")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert all(fresh(note).read_at is not None for note in mine)
    assert fresh(theirs).read_at is None
    html = text(client.get("/notifications"))
    assert "Marked 3 notifications as read." in html
    assert "is-unread" not in html
    client.post("/notifications/read-all")
    assert "You were already up to date." in text(client.get("/notifications"))


@pytest.mark.parametrize("url", ["/notifications/read", "/notifications/read-all"])
def test_missing_csrf_token_is_400(client, login, member, enable_csrf, url):
    note = add(member)
    login(member)
    response = client.post(url, data={"ids": note.id})
    assert response.status_code == 400
    assert "did not come from this site" in text(response)
    assert fresh(note).read_at is None


def test_forms_carry_the_csrf_token(client, login, member, enable_csrf):
    note = add(member)
    login(member)
    html = text(client.get("/notifications"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/notifications/read", data={"ids": note.id, "csrf_token": token})
    assert response.status_code == 302
    assert fresh(note).read_at is not None


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_methods(client, login, member, method):
    login(member)
    assert getattr(client, method)("/notifications/read-all").status_code == 405


# -- following a notification --------------------------------------------------------------------
def test_open_marks_read_and_follows_the_link(client, login, member):
    note = add(member, link="/t/5-bench-vices")
    login(member)
    response = client.get(f"/notifications/{note.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/t/5-bench-vices"
    assert fresh(note).read_at is not None


def test_open_without_a_link_goes_back_to_the_list(client, login, member):
    note = add(member, link=None)
    login(member)
    response = client.get(f"/notifications/{note.id}")
    assert response.headers["Location"] == "/notifications"
    assert fresh(note).read_at is not None


def test_opening_twice_keeps_the_first_read_time(client, login, member):
    note = add(member)
    login(member)
    client.get(f"/notifications/{note.id}")
    first = fresh(note).read_at
    client.get(f"/notifications/{note.id}")
    assert fresh(note).read_at == first


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "http:/evil.example",
        " //evil.example",
    ],
)
def test_links_off_site_are_never_followed(client, login, member, link):
    # The services only store local links; this proves the view holds even if one didn't.
    note = add(member)
    db.session.execute(
        Notification.__table__.update().where(Notification.id == note.id).values(link=link)
    )
    db.session.commit()
    login(member)
    response = client.get(f"/notifications/{note.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications"
    assert local_target(link) is None


@pytest.mark.parametrize("link", ["/p/1", "/t/2-x?page=3#p9", "/u/someone", "/"])
def test_local_links_are_kept(link):
    assert local_target(link) == link


def test_someone_elses_or_a_missing_notification_is_404(client, login, member, other_member):
    theirs = add(other_member)
    login(member)
    for url in (f"/notifications/{theirs.id}", "/notifications/424242", "/notifications/abc",
                "/notifications/2147483647", "/notifications/2147483648",
                "/notifications/99999999999999999999999999"):
        assert client.get(url).status_code == 404, url
    assert fresh(theirs).read_at is None


def test_reply_notification_leads_to_the_first_unread_post(client, login, member, other_member,
                                                           board_thread_by):
    thread = board_thread_by(member, "Bench vices")
    post = posting.reply(other_member, thread, "Try a Record No. 4")
    posting.reply(other_member, thread, "Or a Record No. 3")
    note = db.session.scalar(select(Notification))
    login(member)
    assert "2 new posts in “Bench vices”, the latest by other" in text(
        client.get("/notifications"))
    first = client.get(f"/notifications/{note.id}")
    assert first.headers["Location"] == f"/t/{thread.id}/unread"
    assert client.get(first.headers["Location"]).headers["Location"].endswith(f"#p{post.id}")


@pytest.fixture
def board_thread_by(app):
    board = factories.make_board(slug="general")

    def _make(author, title):
        return factories.make_thread(board, author=author, title=title)

    return _make


def test_quoting_through_the_reply_form_notifies_the_quoted(client, login, member, other_member,
                                                            board_thread_by):
    thread = board_thread_by(member, "Bench vices")
    quoted = posting.reply(other_member, thread, "Record No. 4, no question")
    db.session.execute(db.delete(Notification))
    db.session.commit()
    third = factories.make_user(username="third")
    login(third)
    form = text(client.get(f"/t/{thread.id}/reply?quote={quoted.id}"))
    draft = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", form, re.S).group(1)
    draft = draft.replace("&gt;", ">").replace("&#34;", '"').replace("&amp;", "&")

    response = client.post(f"/t/{thread.id}/reply", data={"body": draft + "Seconded."})

    assert response.status_code == 302
    received = {(note.recipient_id, note.kind) for note in db.session.scalars(select(Notification))}
    assert received == {(other_member.id, "quote"), (member.id, "watched")}
