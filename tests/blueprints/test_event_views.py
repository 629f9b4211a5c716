"""Event pages: every route for every kind of viewer, bad input, calendar files, query budgets."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Access, Event, EventRsvp, Thread, utcnow
from forum.services.community import event_rsvp, events
from forum.services.moderation import sanctions
from tests import factories
from tests.factories import text
from tests.services.event_kit import event_data, local_text, make_event, rsvp_status

EVENTS_BUDGET = 7  # user, last seen, bell, boards for "New event", upcoming, past, month
EVENT_BUDGET = 6  # user, last seen, bell, event (board, thread, author), answers, sanctions


@pytest.fixture
def now():
    return utcnow()


@pytest.fixture
def open_board(app):
    """A board where members may create events."""
    return factories.make_board(slug="meetups", title="Meetups", allows_member_events=True)


@pytest.fixture
def plain_board(app):
    return factories.make_board(slug="general", title="General")


@pytest.fixture
def event(moderator, plain_board, now):
    return make_event(moderator, plain_board, start=now + timedelta(days=10), now=now,
                      capacity="3")


def _viewer(kind: str, login, board):
    if kind == "guest":
        return None
    if kind == "board moderator":
        return login(factories.make_board_moderator(factories.make_user(), board))
    role = kind if kind in ("moderator", "admin") else "member"
    return login(factories.make_user(role=role))


def _form(start: datetime, board=None, **overrides) -> dict:
    data = event_data(start, **overrides).__dict__.copy()
    if board is not None:
        data["board"] = str(board.id)
    return data


# -- /events ------------------------------------------------------------------------------------
def test_events_page_lists_upcoming_past_and_a_calendar(client, moderator, plain_board, now):
    soon = make_event(moderator, plain_board, start=now + timedelta(days=2), now=now,
                      title="Upcoming one")
    gone = make_event(moderator, plain_board, start=now + timedelta(hours=1),
                      now=now - timedelta(days=3), title="Past one")
    db.session.execute(Event.__table__.update().where(Event.id == gone.id).values(
        starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-2)))
    db.session.commit()
    html = text(client.get("/events"))
    upcoming, _, rest = html.partition('id="calendar-heading"')
    assert "Upcoming one" in upcoming and "Past one" not in upcoming
    assert "Past one" in rest.partition('id="past-heading"')[2]
    assert '<table class="calendar-grid">' in html and "<caption" in html
    assert html.count('<th scope="col">') == 7
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert soon.kind_label in html


def test_calendar_month_navigation_and_viewer_zone(client, login, moderator, plain_board, now):
    # 23:30 UTC on the last day of a month is the next month's first day in Auckland.
    start = datetime(now.year + 1, 1, 31, 23, 30, tzinfo=UTC)
    make_event(moderator, plain_board, start=start, now=now, title="Kiwi night")
    html = text(client.get(f"/events?month={now.year + 1}-01"))
    assert "Kiwi night" in html.partition("calendar-grid")[2].partition("</table>")[0]
    assert f'href="/events?month={now.year}-12"' in html
    assert f'href="/events?month={now.year + 1}-02"' in html
    # The neighbours are named as months, not as codes.
    assert f"</span>December {now.year}</a>" in html
    assert f"</span>February {now.year + 1} <span" in html
    assert f"{now.year}-12</a>" not in html and f"{now.year + 1}-02 →" not in html
    german = text(client.get(f"/events?month={now.year + 1}-03",
                             headers={"Accept-Language": "de"}))
    assert f"</span>Februar {now.year + 1}</a>" in german
    assert f"</span>April {now.year + 1} <span" in german and f"März {now.year + 1}" in german
    login(factories.make_user(timezone="Pacific/Auckland"))
    january = text(client.get(f"/events?month={now.year + 1}-01"))
    february = text(client.get(f"/events?month={now.year + 1}-02"))
    grid = february.partition("calendar-grid")[2].partition("</table>")[0]
    assert "Kiwi night" in grid and "12:30 Kiwi night" in grid
    assert "Kiwi night" not in january.partition("calendar-grid")[2].partition("</table>")[0]
    assert "Pacific/Auckland" in february


def test_a_long_event_shows_its_time_on_the_first_day_only(client, moderator, plain_board, now):
    start = datetime(now.year + 1, 3, 10, 9, 0, tzinfo=UTC)
    make_event(moderator, plain_board, start=start, now=now, hours=48, title="Build weekend")
    grid = text(client.get(f"/events?month={now.year + 1}-03")).partition(
        "calendar-grid")[2].partition("</table>")[0]
    assert grid.count("09:00 Build weekend") == 1
    assert grid.count("Continues:</span> Build weekend") == 2


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-01", "abcd-ef", "2026-00",
                                   "0001-01", "²²²²-01", "２０２６-01"])
def test_bad_month_is_400(client, month):
    response = client.get(f"/events?month={month}")
    assert response.status_code == 400
    assert "month" in text(response).lower()


def test_events_page_hides_what_the_viewer_may_not_see(client, login, moderator, now):
    members = factories.make_board(access=Access.MEMBERS)
    staff = factories.make_board(access=Access.STAFF)
    make_event(moderator, members, now=now, start=now + timedelta(days=1), title="Members only")
    make_event(moderator, staff, now=now, start=now + timedelta(days=1), title="Staff only")
    html = text(client.get("/events"))
    assert "Members only" not in html and "Staff only" not in html
    login(factories.make_user())
    html = text(client.get("/events"))
    assert "Members only" in html and "Staff only" not in html
    login(factories.make_user(role="moderator"))
    assert "Staff only" in text(client.get("/events"))


NEW_EVENT = 'href="/events/new"'


def test_new_event_is_offered_only_to_who_may_create_one_somewhere(client, login, moderator,
                                                                   plain_board, now):
    """A click on "New event" never ends in a refusal: guests, members of a forum where
    only moderators create events and a timed-out member are not offered it."""
    assert NEW_EVENT not in text(client.get("/events"))
    member = login(factories.make_user())
    assert NEW_EVENT not in text(client.get("/events"))
    assert client.get("/events/new").status_code == 403
    factories.make_board(slug="meetups", allows_member_events=True)
    assert NEW_EVENT in text(client.get("/events"))
    assert client.get("/events/new").status_code == 200
    sanctions.timeout(moderator, member, "Cool off", timedelta(hours=2))
    assert NEW_EVENT not in text(client.get("/events"))
    login(factories.make_board_moderator(factories.make_user(), plain_board))
    assert NEW_EVENT in text(client.get("/events"))


# -- /events/<id> -------------------------------------------------------------------------------
def test_event_page_shows_times_places_people_and_discussion(client, login, event):
    goers = [factories.make_user() for _ in range(2)]
    for user in goers:
        event_rsvp.answer_event(user, event, "going")
    viewer = login(factories.make_user(timezone="Asia/Kolkata"))
    html = text(client.get(f"/events/{event.id}"))
    assert event.title in html and "<strong>project</strong>" in html
    assert "Asia/Kolkata" in html and "Organiser's time" in html and "(UTC)" in html
    assert "1 of 3 places left" in html and "<progress" in html
    assert goers[0].name in html and goers[1].name in html
    assert f'href="/t/{event.thread_id}' in html
    assert 'value="going"' in html
    client.post(f"/events/{event.id}/rsvp", data={"answer": "going"})
    assert rsvp_status(event, viewer) == "going"
    html = text(client.get(f"/events/{event.id}"))
    assert "Full" in html and 'value="going"' in html


def test_a_long_attendee_list_is_cut_with_a_count(app, client, login, moderator, plain_board,
                                                  now, monkeypatch, count_queries):
    """The names shown per answer are capped, so a big event's page costs what a small one's
    does; the viewer's own answer is found wherever it stands."""
    from forum.services.community import event_listing

    monkeypatch.setattr(event_listing, "SHOWN_PER_ANSWER", 2)
    event = make_event(moderator, plain_board, now=now, start=now + timedelta(days=3))
    people = [factories.make_user(username=f"goer{n}") for n in range(5)]
    for user in people:
        event_rsvp.answer_event(user, event, "going")
    login(people[-1])
    client.get(f"/events/{event.id}")
    with count_queries() as small:
        html = text(client.get(f"/events/{event.id}"))
    assert "Going (5)" in html and "and 3 more" in html
    assert "goer0" in html and "goer1" in html and "goer2" not in html
    assert "Your answer: <strong>Going</strong>" in html
    for n in range(5, 9):
        event_rsvp.answer_event(factories.make_user(username=f"goer{n}"), event, "going")
    client.get(f"/events/{event.id}")
    with count_queries() as large:
        assert "and 7 more" in text(client.get(f"/events/{event.id}"))
    assert len(large) == len(small)


def test_event_page_access(client, login, moderator, now):
    members = factories.make_board(access=Access.MEMBERS)
    staff = factories.make_board(access=Access.STAFF)
    hidden = make_event(moderator, members, now=now, start=now + timedelta(days=1))
    secret = make_event(moderator, staff, now=now, start=now + timedelta(days=1))
    response = client.get(f"/events/{hidden.id}")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/events/999999").status_code == 404
    assert client.get("/events/99999999999999").status_code == 404
    login(factories.make_user())
    assert client.get(f"/events/{hidden.id}").status_code == 200
    assert client.get(f"/events/{secret.id}").status_code == 403
    assert client.get(f"/events/{secret.id}.ics").status_code == 403


def test_guests_are_asked_to_log_in_to_answer(client, event):
    html = text(client.get(f"/events/{event.id}"))
    assert "to answer" in html and 'value="going"' not in html
    response = client.post(f"/events/{event.id}/rsvp", data={"answer": "going"})
    assert response.status_code == 302 and "/login" in response.location
    assert db.session.scalar(select(func.count(EventRsvp.id))) == 0


# -- answering ----------------------------------------------------------------------------------
def test_answer_flow_with_waitlist(client, login, event):
    for _ in range(3):
        event_rsvp.answer_event(factories.make_user(), event, "going")
    viewer = login(factories.make_user())
    response = client.post(f"/events/{event.id}/rsvp", data={"answer": "going"},
                           follow_redirects=True)
    assert "waitlist" in text(response)
    assert rsvp_status(event, viewer) == "waitlisted"
    client.post(f"/events/{event.id}/rsvp", data={"answer": "declined"})
    assert rsvp_status(event, viewer) == "declined"


def _pressed(html: str) -> list[str]:
    """The labels of the answer buttons shown as pressed."""
    return re.findall(r'<button[^>]*aria-pressed="true"[^>]*>([^<]*)</button>', html)


def test_the_pressed_answer_says_what_the_member_answered(client, login, event):
    """A member on the waitlist is not shown "Going" pressed."""
    for _ in range(3):
        event_rsvp.answer_event(factories.make_user(), event, "going")
    login(factories.make_user())
    client.post(f"/events/{event.id}/rsvp", data={"answer": "going"})
    html = text(client.get(f"/events/{event.id}"))
    assert "Your answer: <strong>On the waitlist</strong>" in html
    assert _pressed(html) == ["On the waitlist"]
    german = text(client.get(f"/events/{event.id}", headers={"Accept-Language": "de"}))
    assert _pressed(german) == ["Auf der Warteliste"]
    client.post(f"/events/{event.id}/rsvp", data={"answer": "maybe"})
    html = text(client.get(f"/events/{event.id}"))
    assert _pressed(html) == ["Maybe"] and "Join the waitlist" in html
    login(factories.make_user())
    assert _pressed(text(client.get(f"/events/{event.id}"))) == []


@pytest.mark.parametrize("answer", ["", "waitlisted", "sure"])
def test_bad_answer_is_400(client, login, event, answer):
    viewer = login(factories.make_user())
    response = client.post(f"/events/{event.id}/rsvp", data={"answer": answer})
    assert response.status_code == 400 and "Answer going, maybe or can" in text(response)
    assert rsvp_status(event, viewer) is None


def test_answer_after_deadline_or_cancel_is_400(client, login, moderator, plain_board, now):
    late = make_event(moderator, plain_board, now=now - timedelta(days=2),
                      start=now + timedelta(days=3),
                      rsvp_deadline=local_text(now - timedelta(days=1)))
    viewer = login(factories.make_user())
    response = client.post(f"/events/{late.id}/rsvp", data={"answer": "going"})
    assert response.status_code == 400 and "Answers closed" in text(response)
    assert "Answers closed" in text(client.get(f"/events/{late.id}"))
    gone = make_event(moderator, plain_board, now=now, start=now + timedelta(days=3))
    events.cancel_event(moderator, gone, "Storm")
    response = client.post(f"/events/{gone.id}/rsvp", data={"answer": "maybe"})
    assert response.status_code == 400 and "cancelled" in text(response)
    assert rsvp_status(late, viewer) is None and rsvp_status(gone, viewer) is None


def test_answer_without_csrf_token_is_refused(client, login, event, enable_csrf):
    login(factories.make_user())
    assert client.post(f"/events/{event.id}/rsvp", data={"answer": "going"}).status_code == 400


# -- creating -----------------------------------------------------------------------------------
NEW_EXPECTED = {"guest": 302, "member": 403, "member in an open board": 200,
                "board moderator": 200, "moderator": 200, "admin": 200}


@pytest.mark.parametrize("kind", list(NEW_EXPECTED))
def test_new_event_page_by_role(client, login, plain_board, kind):
    if kind == "member in an open board":
        factories.make_board(slug="meetups", title="Meetups", allows_member_events=True)
    _viewer("member" if kind == "member in an open board" else kind, login, plain_board)
    response = client.get("/events/new")
    assert response.status_code == NEW_EXPECTED[kind]
    if kind == "guest":
        assert "/login" in response.location
    if kind == "member in an open board":
        boards = text(response).partition('id="board"')[2].partition("</select>")[0]
        assert ">Meetups</option>" in boards and ">General</option>" not in boards
    if kind in ("board moderator", "moderator", "admin"):
        assert ">General</option>" in text(response)


@pytest.mark.parametrize("kind", ["member in an open board", "board moderator", "moderator",
                                  "admin"])
def test_create_event_by_role(client, login, open_board, plain_board, now, kind):
    board = open_board if kind == "member in an open board" else plain_board
    viewer = _viewer("member" if kind == "member in an open board" else kind, login, board)
    response = client.post("/events/new", data=_form(now + timedelta(days=5), board,
                                                       tz="Europe/Paris"))
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert response.location.endswith(f"/events/{event.id}")
    assert event.author_id == viewer.id and event.board_id == board.id
    assert event.timezone == "Europe/Paris"
    thread = db.session.get(Thread, event.thread_id)
    html = text(client.get(f"/t/{thread.id}"))
    assert f'href="/events/{event.id}">Event details and RSVP' in html


def test_member_cannot_create_in_a_closed_board(client, login, open_board, plain_board, now):
    login(factories.make_user())
    response = client.post("/events/new", data=_form(now + timedelta(days=5), plain_board))
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Event.id))) == 0


@pytest.mark.parametrize(("board", "message"), [("424242", "Choose the board"),
                                                ("abc", "must be a number"),
                                                ("", "must be a number")])
def test_an_unknown_or_malformed_board_is_400(client, login, moderator, plain_board, now,
                                              board, message):
    login(moderator)
    data = {**_form(now + timedelta(days=5), plain_board), "board": board}
    response = client.post("/events/new", data=data)
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_new_event_form_defaults_to_the_members_zone(client, login, open_board):
    login(factories.make_user(timezone="America/Chicago"))
    html = text(client.get(f"/events/new?board={open_board.id}"))
    assert '<option selected value="America/Chicago">' in html
    assert f'<option selected value="{open_board.id}">' in html


VIEW_BAD_INPUT = [
    ({"ends_at": "2020-01-01T10:00"}, "must end after it starts"),
    ({"capacity": "0"}, "at least 1"),
    ({"capacity": "-3"}, "at least 1"),
    ({"timezone": "Nowhere/Land"}, "time zone"),
    ({"online_url": "javascript:alert(1)"}, "http:// or https://"),
    ({"title": "t" * 151}, "at most 150"),
    ({"kind": "rave"}, "kind of event"),
]


@pytest.mark.parametrize(("overrides", "message"), VIEW_BAD_INPUT)
def test_create_bad_input_is_400_and_saves_nothing(client, login, moderator, plain_board, now,
                                                   overrides, message):
    login(moderator)
    response = client.post("/events/new", data=_form(now + timedelta(days=5), plain_board,
                                                       **overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(func.count(Event.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_create_in_the_past_and_deadline_after_start_are_400(client, login, moderator,
                                                             plain_board, now):
    login(moderator)
    start = now - timedelta(hours=1)
    response = client.post("/events/new", data=_form(start, plain_board))
    assert response.status_code == 400 and "must be in the future" in text(response)
    start = now + timedelta(days=2)
    response = client.post("/events/new", data=_form(
        start, plain_board, rsvp_deadline=local_text(start + timedelta(hours=1))))
    assert response.status_code == 400 and "after the start" in text(response)
    assert db.session.scalar(select(func.count(Event.id))) == 0


@pytest.mark.parametrize("board_value", ["", "x1", "99999"])
def test_create_needs_a_real_board(client, login, moderator, plain_board, now, board_value):
    login(moderator)
    data = _form(now + timedelta(days=5))
    data["board"] = board_value
    response = client.post("/events/new", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Event.id))) == 0


# -- editing and cancelling ---------------------------------------------------------------------
EDIT_EXPECTED = {"guest": 302, "member": 403, "member in an open board": 403,
                 "board moderator": 200, "moderator": 200, "admin": 200}


@pytest.mark.parametrize("kind", list(EDIT_EXPECTED))
@pytest.mark.parametrize("page", ["edit", "cancel"])
def test_edit_and_cancel_pages_by_role(client, login, moderator, open_board, plain_board, now,
                                       kind, page):
    board = open_board if kind == "member in an open board" else plain_board
    event = make_event(moderator, board, now=now, start=now + timedelta(days=4))
    _viewer("member" if kind == "member in an open board" else kind, login, board)
    response = client.get(f"/events/{event.id}/{page}")
    assert response.status_code == EDIT_EXPECTED[kind]
    posted = client.post(f"/events/{event.id}/{page}", data={"reason": "x", "title": "Hijack"})
    assert posted.status_code in (EDIT_EXPECTED[kind], 302, 400)
    if EDIT_EXPECTED[kind] != 200:
        db.session.refresh(event)
        assert event.title == "Soldering meetup" and not event.is_cancelled


def test_author_edits_their_event(client, login, open_board, now):
    author = login(factories.make_user(timezone="Europe/Paris"))
    event = make_event(author, open_board, now=now, start=now + timedelta(days=4),
                       tz="Europe/Paris")
    form_html = text(client.get(f"/events/{event.id}/edit"))
    assert f'value="{local_text(event.starts_at, "Europe/Paris")}"' in form_html
    new_start = event.starts_at + timedelta(days=1)
    response = client.post(f"/events/{event.id}/edit", data=_form(
        new_start, tz="Europe/Paris", title="Moved"))
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.title, event.starts_at, event.sequence) == ("Moved", new_start, 1)


def test_edit_bad_input_is_400_and_saves_nothing(client, login, moderator, event):
    login(moderator)
    response = client.post(f"/events/{event.id}/edit", data=_form(
        event.starts_at, capacity="0", title="Changed"))
    assert response.status_code == 400 and "at least 1" in text(response)
    db.session.refresh(event)
    assert (event.title, event.capacity) == ("Soldering meetup", 3)


def test_cancel_flow(client, login, moderator, event):
    goer = factories.make_user()
    event_rsvp.answer_event(goer, event, "going")
    login(moderator)
    response = client.post(f"/events/{event.id}/cancel", data={"reason": ""})
    assert response.status_code == 400 and "Say why" in text(response)
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Venue closed"})
    assert response.status_code == 302
    html = text(client.get(f"/events/{event.id}"))
    assert "This event was cancelled" in html and "Venue closed" in html
    assert "Cancelled" in text(client.get("/events"))
    assert client.get(f"/events/{event.id}/edit").status_code == 403
    assert client.get(f"/events/{event.id}/cancel").status_code == 403


def test_missing_events_are_404_everywhere(client, login, moderator):
    login(moderator)
    for path in ("/events/4242", "/events/4242/edit", "/events/4242/cancel",
                 "/events/4242.ics"):
        assert client.get(path).status_code == 404, path
    assert client.post("/events/4242/rsvp", data={"answer": "going"}).status_code == 404


# -- calendar files -----------------------------------------------------------------------------
def test_event_ics_download(client, moderator, plain_board, now):
    event = make_event(moderator, plain_board, now=now, start=now + timedelta(days=3),
                       tz="America/New_York")
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="event-{event.id}.ics"' in response.headers["Content-Disposition"]
    (vevent,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.id}@localhost"
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert str(vevent["URL"]) == f"http://localhost/events/{event.id}"


def test_feed_ics_lists_public_events(client, moderator, plain_board, now):
    public = make_event(moderator, plain_board, now=now, start=now + timedelta(days=3))
    members = make_event(moderator, factories.make_board(access=Access.MEMBERS), now=now,
                         start=now + timedelta(days=3))
    response = client.get("/events.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert 'filename="events.ics"' in response.headers["Content-Disposition"]
    uids = [str(v["UID"]) for v in icalendar.Calendar.from_ical(response.data).walk("VEVENT")]
    assert uids == [f"event-{public.id}@localhost"]
    response = client.get(f"/events/{members.id}.ics")
    assert response.status_code == 302 and "/login" in response.location


# -- the index, the thread and the navigation -------------------------------------------------
def test_index_event_lines_start_with_their_kind(client, event):
    """The line under an upcoming event's title starts with its kind, not a separator."""
    html = text(client.get("/"))
    section = html.partition('class="card upcoming-events"')[2].partition("</section>")[0]
    lines = re.findall(r'<span class="small muted">\s*([^<]*)', section)
    assert lines and all(line.startswith(event.kind_label) for line in lines), lines


def test_board_index_shows_upcoming_events_within_budget(client, login, count_queries,
                                                         moderator, plain_board, now):
    from tests.blueprints.test_index import INDEX_BUDGET

    for n in range(4):
        make_event(moderator, plain_board, now=now, start=now + timedelta(days=n + 1),
                   title=f"Gathering {n}")
    for viewer in ("guest", "member"):
        if viewer == "member":
            login(factories.make_user())
        for attempt in ("first", "later"):
            with count_queries() as queries:
                html = text(client.get("/"))
            assert len(queries) <= INDEX_BUDGET, (viewer, attempt, queries)
        section = html.partition('id="upcoming-events-heading"')[2].partition("</section>")[0]
        assert "Gathering 2" in section and "Gathering 3" not in section
        assert 'href="/events">Events</a>' in html


def test_thread_page_links_its_event_within_budget(client, login, count_queries, event):
    from tests.blueprints.test_thread_page import THREAD_BUDGET

    login(factories.make_user())
    url = f"/t/{event.thread_id}"
    client.get(url)
    with count_queries() as queries:
        html = text(client.get(url))
    assert len(queries) <= THREAD_BUDGET, queries
    assert f'href="/events/{event.id}"' in html


# -- query budgets ------------------------------------------------------------------------------
@pytest.mark.parametrize("viewer", ["guest", "member", "author"])
def test_event_page_budget_is_flat(client, login, count_queries, open_board, now, viewer):
    author = factories.make_user()
    event = make_event(author, open_board, now=now, start=now + timedelta(days=3),
                       capacity="5")
    people = factories.quick_users(30)
    if viewer == "member":
        login(factories.make_user())
    elif viewer == "author":
        login(author)
    counts = []
    for size in (2, 30):
        for user in people[:size]:
            if rsvp_status(event, user) is None:
                event_rsvp.answer_event(user, event, "going" if size == 2 else "maybe")
        client.get(f"/events/{event.id}")
        with count_queries() as queries:
            response = client.get(f"/events/{event.id}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= EVENT_BUDGET, counts


@pytest.mark.parametrize("viewer", ["guest", "member"])
def test_events_page_budget_is_flat(client, login, count_queries, moderator, plain_board, now,
                                    viewer):
    if viewer == "member":
        login(factories.make_user())
    counts = []
    for size in (2, 12):
        while db.session.scalar(select(func.count(Event.id))) < size:
            n = db.session.scalar(select(func.count(Event.id)))
            make_event(moderator, factories.make_board(), now=now,
                       start=now + timedelta(days=n % 20, hours=1))
        client.get("/events")
        with count_queries() as queries:
            response = client.get("/events")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= EVENTS_BUDGET, counts


def test_calendar_uids_do_not_follow_the_host_header(app, client, event):
    """Reached under two names, the site still gives an event one UID."""
    app.config["SERVER_NAME"] = None
    uids = set()
    for host in ("forum.example", "www.forum.example"):
        response = client.get(f"/events/{event.id}.ics", headers={"Host": host})
        assert response.status_code == 200
        (vevent,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
        uids.add(str(vevent["UID"]))
    assert len(uids) == 1 and uids.pop().startswith(f"event-{event.id}@")


def test_calendar_files_speak_the_language_the_request_negotiated(client, moderator,
                                                                 plain_board, now):
    event = make_event(moderator, plain_board, now=now, start=now + timedelta(days=3))
    events.cancel_event(moderator, event, "Regen", now=now)
    german = {"Accept-Language": "de"}
    feed = icalendar.Calendar.from_ical(client.get("/events.ics", headers=german).data)
    assert str(feed["X-WR-CALNAME"]) == "Veranstaltungen in Agora"
    assert str(icalendar.Calendar.from_ical(client.get("/events.ics").data)["X-WR-CALNAME"]) \
        == "Agora events"
    single = client.get(f"/events/{event.id}.ics", headers=german)
    (vevent,) = icalendar.Calendar.from_ical(single.data).walk("VEVENT")
    assert str(vevent["SUMMARY"]).startswith("Abgesagt: ")
    assert str(vevent["DESCRIPTION"]).startswith("Abgesagt: Regen")
