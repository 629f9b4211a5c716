"""Contest and expert Q&A pages over HTTP: each step of a contest and a Q&A, refusals out of
phase, times in the viewer's zone, the Expert badge and the thread page's query budget."""
from __future__ import annotations

from datetime import timedelta
from html import escape

import pytest
from sqlalchemy import select

from forum.common import timefmt
from forum.extensions import db
from forum.models import Challenge, ChallengeEntry, EventQuestion, ModAction, Thread
from forum.services.community import challenge_votes, challenges, expert_answers, expert_qa
from forum.services.content import posting
from tests import factories
from tests.factories import text
from tests.services.engagement_kit import (
    AFTER,
    CLOSES,
    DURING_ENTRIES,
    DURING_VOTING,
    OPENS,
    T0,
    make_contest,
    make_qa,
    voter,
)
from tests.services.event_kit import local_text, make_event

THREAD_BUDGET = 7
PAGE_BUDGET = 8  # user, last seen, bell, event (board, thread, author), the page's own rows


@pytest.fixture
def board(app):
    return factories.make_board(slug="contests", allows_member_events=True)


@pytest.fixture
def contest(board, moderator):
    return make_contest(board, moderator)


@pytest.fixture
def qa(board, moderator):
    return make_qa(board, moderator)


def _enter(event, user=None, title="Sunset"):
    return challenges.enter(user or voter(), event, title, "My photo.", now=DURING_ENTRIES)


# -- the contest, step by step ------------------------------------------------------------------
def test_the_organiser_sets_the_schedule_through_the_form(client, login, board, moderator,
                                                          page_clock):
    page_clock(T0)
    event = make_event(moderator, board, kind="contest")
    login(moderator)
    assert client.get(f"/events/{event.id}/contest").status_code == 200
    data = {"entries_open_at": local_text(OPENS), "entries_close_at": local_text(CLOSES),
            "voting_close_at": local_text(OPENS), "votes_per_member": "3",
            "one_entry_per_member": "y"}
    response = client.post(f"/events/{event.id}/contest", data=data)
    assert response.status_code == 400
    assert "Voting must close after entries close" in text(response)
    data["voting_close_at"] = local_text(AFTER)
    assert client.post(f"/events/{event.id}/contest", data=data).status_code == 302
    assert db.session.get(Challenge, event.id).votes_per_member == 3
    assert "Set the contest" in text(client.get(event.url))


def test_a_member_enters_and_out_of_phase_entries_get_409(client, login, contest,
                                                          page_clock):
    member = login(voter())
    data = {"title": "Night sky", "body": "Long exposure."}
    page_clock(T0)
    response = client.post(f"/events/{contest.id}/entries", data=data)
    assert response.status_code == 409 and "Entries open on" in text(response)
    page_clock(DURING_ENTRIES)
    assert "Submit your entry" in text(client.get(f"/events/{contest.id}/entries"))
    assert client.post(f"/events/{contest.id}/entries", data=data).status_code == 302
    response = client.post(f"/events/{contest.id}/entries", data=data)
    assert response.status_code == 409 and "already entered" in text(response)
    assert client.post(f"/events/{contest.id}/entries",
                       data={"title": "", "body": "x"}).status_code == 400
    page_clock(CLOSES)
    response = client.post(f"/events/{contest.id}/entries", data=data)
    assert response.status_code == 409 and "closed" in text(response)
    entry = db.session.scalar(select(ChallengeEntry))
    assert entry.user_id == member.id
    html = text(client.get(f"/t/{contest.thread_id}"))
    assert "Contest entry: Night sky" in html and "Contest entries and votes" in html


def test_voting_over_http_with_its_refusals(client, login, contest, page_clock):
    entrant = voter()
    own = _enter(contest, entrant)
    other = _enter(contest, title="Other")
    login(entrant)
    page_clock(DURING_ENTRIES)
    response = client.post(f"/events/{contest.id}/entries/{other.id}/vote")
    assert response.status_code == 409 and "Voting opens" in text(response)
    page_clock(DURING_VOTING)
    assert client.post(f"/events/{contest.id}/entries/{own.id}/vote").status_code == 403
    assert client.post(f"/events/{contest.id}/entries/999999/vote").status_code == 404
    assert client.post(f"/events/{contest.id}/entries/{other.id}/vote").status_code == 302
    assert client.post(f"/events/{contest.id}/entries/{other.id}/vote").status_code == 409
    html = text(client.get(f"/events/{contest.id}/entries"))
    assert "You voted for this" in html and "1 vote" not in html  # counts hidden until closed
    assert "The ranking is shown once voting has closed" in text(
        client.get(f"/events/{contest.id}/results"))
    page_clock(AFTER)
    assert client.post(f"/events/{contest.id}/entries/{other.id}/vote").status_code == 409
    html = text(client.get(f"/events/{contest.id}/results"))
    assert html.index("Other") < html.index("Sunset") and "Announce the winners" not in html


def test_while_votes_are_secret_the_entries_page_keeps_the_order_they_came_in(
        client, login, contest, moderator, page_clock):
    _enter(contest, title="Early bird")
    leader = _enter(contest, title="Crowd favourite")
    page_clock(DURING_VOTING)
    for _ in range(2):
        login(voter())
        assert client.post(f"/events/{contest.id}/entries/{leader.id}/vote").status_code == 302
    login(voter())
    html = text(client.get(f"/events/{contest.id}/entries"))
    assert html.index("Early bird") < html.index("Crowd favourite")  # no standings by order
    login(moderator)
    html = text(client.get(f"/events/{contest.id}/entries"))
    assert html.index("Crowd favourite") < html.index("Early bird")  # the team sees counts
    page_clock(AFTER)
    login(voter())
    html = text(client.get(f"/events/{contest.id}/entries"))
    assert html.index("Crowd favourite") < html.index("Early bird")  # closed: the ranking


def test_a_new_account_gets_403_when_voting(client, login, contest, page_clock):
    entry = _enter(contest)
    login(factories.make_user(created_at=DURING_VOTING - timedelta(hours=1)))
    page_clock(DURING_VOTING)
    response = client.post(f"/events/{contest.id}/entries/{entry.id}/vote")
    assert response.status_code == 403 and "days old" in text(response)


def test_disqualify_and_announce_winners_through_the_pages(client, login, contest, moderator,
                                                           page_clock):
    winner, cheat = _enter(contest, title="Winner"), _enter(contest, title="Cheat")
    challenge_votes.vote(voter(), contest, winner, now=DURING_VOTING)
    login(moderator)
    page_clock(DURING_VOTING)
    url = f"/events/{contest.id}/entries/{cheat.id}/disqualify"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"reason": ""}).status_code == 400
    assert client.post(url, data={"reason": "Stock photo"}).status_code == 302
    assert client.post(url, data={"reason": "Again"}).status_code == 409
    assert "Stock photo" in text(client.get(f"/events/{contest.id}/entries"))
    assert client.post(f"/events/{contest.id}/winners",
                       data={"first": str(winner.id)}).status_code == 409
    page_clock(AFTER)
    html = text(client.get(f"/events/{contest.id}/results"))
    assert "Announce the winners" in html
    assert client.post(f"/events/{contest.id}/winners",
                       data={"first": str(cheat.id)}).status_code == 400
    assert client.post(f"/events/{contest.id}/winners",
                       data={"first": "x"}).status_code == 400
    assert client.post(f"/events/{contest.id}/winners",
                       data={"first": str(winner.id)}).status_code == 302
    html = text(client.get(contest.url))
    assert 'id="podium"' in html and "Winners" in html and "Winner</a>" in html
    assert "The results of" in text(client.get(f"/t/{contest.thread_id}"))


def test_contest_pages_of_other_events_are_not_found(client, login, board, moderator):
    meetup = make_event(moderator, board)
    login(moderator)
    for path in ("entries", "results", "contest", "questions", "summary"):
        assert client.get(f"/events/{meetup.id}/{path}").status_code == 404, path
    unscheduled = make_event(moderator, board, kind="contest")
    assert client.get(f"/events/{unscheduled.id}/entries").status_code == 404


def test_contest_times_are_shown_in_the_viewers_zone(client, login, contest, page_clock):
    page_clock(DURING_ENTRIES)
    login(voter(timezone="Asia/Tokyo"))
    html = client.get(f"/events/{contest.id}/entries").get_data(as_text=True)
    assert escape(timefmt.format_datetime(OPENS, "Asia/Tokyo")) in html
    assert escape(timefmt.format_datetime(OPENS, "UTC")) not in html


# -- the expert Q&A, step by step ----------------------------------------------------------------
def test_members_ask_and_vote_and_the_session_end_closes_both(client, login, qa, page_clock):
    event, _ = qa
    page_clock(T0)
    asker = login(voter())
    assert client.post(f"/events/{event.id}/questions",
                       data={"body": "Which glue?"}).status_code == 302
    assert client.post(f"/events/{event.id}/questions", data={"body": ""}).status_code == 400
    question = db.session.scalar(select(EventQuestion))
    assert question.author_id == asker.id
    assert client.post(f"/events/{event.id}/questions/{question.id}/vote").status_code == 403
    login(voter())
    assert client.post(f"/events/{event.id}/questions/{question.id}/vote").status_code == 302
    assert client.post(f"/events/{event.id}/questions/{question.id}/vote").status_code == 409
    html = text(client.get(f"/events/{event.id}/questions"))
    assert "Which glue?" in html and "1 vote" in html and "You voted for this" in html
    page_clock(event.ends_at)
    response = client.post(f"/events/{event.id}/questions", data={"body": "Late"})
    assert response.status_code == 409 and "over" in text(response)
    assert client.post(f"/events/{event.id}/questions/{question.id}/vote").status_code == 409


def test_an_expert_answers_and_the_summary_lists_it(client, login, qa, page_clock):
    event, expert = qa
    question = expert_qa.ask(voter(), event, "Which glue?", now=T0)
    login(expert)
    page_clock(T0)
    assert "Your answer to question" not in text(client.get(f"/events/{event.id}/questions"))
    assert client.post(f"/events/{event.id}/questions/{question.id}/answer",
                       data={"body": "Hide glue."}).status_code == 409
    page_clock(event.starts_at + timedelta(minutes=5))
    assert "Your answer to question" in text(client.get(f"/events/{event.id}/questions"))
    assert client.post(f"/events/{event.id}/questions/{question.id}/answer",
                       data={"body": "Hide glue."}).status_code == 302
    html = text(client.get(f"/events/{event.id}/questions"))
    assert "Answered" in html and "Read the answer" in html
    summary = text(client.get(f"/events/{event.id}/summary"))
    assert "Which glue?" in summary and "Hide glue." in summary
    login(voter())
    assert client.post(f"/events/{event.id}/questions/{question.id}/answer",
                       data={"body": "Me too"}).status_code == 403
    # The thread deleted since: its answers are no longer shown on the summary either.
    thread = db.session.get(Thread, event.thread_id)
    thread.is_deleted = True
    db.session.commit()
    summary = text(client.get(f"/events/{event.id}/summary"))
    assert "Which glue?" in summary and "Hide glue." not in summary
    assert "The answer was removed." in summary


def test_moderators_manage_experts_hide_and_merge(client, login, qa, moderator, page_clock):
    event, expert = qa
    page_clock(T0)
    first = expert_qa.ask(voter(), event, "Spruce or cedar?", now=T0)
    second = expert_qa.ask(voter(), event, "Cedar or spruce?", now=T0)
    off = expert_qa.ask(voter(), event, "Buy my guitar", now=T0)
    login(moderator)
    assert client.get(f"/events/{event.id}/questions/{off.id}/moderate").status_code == 200
    assert client.post(f"/events/{event.id}/questions/{off.id}/hide",
                       data={"reason": ""}).status_code == 400
    assert client.post(f"/events/{event.id}/questions/{off.id}/hide",
                       data={"reason": "Advert"}).status_code == 302
    assert client.post(f"/events/{event.id}/questions/{second.id}/merge",
                       data={"target": "nope"}).status_code == 400
    assert client.post(f"/events/{event.id}/questions/{second.id}/merge",
                       data={"target": str(first.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(EventQuestion, second.id).merged_into_id == first.id
    newcomer = factories.make_user(username="luthier2")
    assert client.post(f"/events/{event.id}/experts",
                       data={"username": "luthier2"}).status_code == 302
    assert client.post(f"/events/{event.id}/experts",
                       data={"username": "nobody"}).status_code == 400
    assert client.post(f"/events/{event.id}/experts/{newcomer.id}/remove").status_code == 302
    assert client.post(f"/events/{event.id}/experts/{newcomer.id}/remove").status_code == 404
    actions = set(db.session.scalars(select(ModAction.action)))
    assert {"question.hide", "question.merge", "event.expert_add",
            "event.expert_remove"} <= actions


# -- the thread: badge and budget ---------------------------------------------------------------
def test_experts_wear_a_badge_in_the_event_thread_only(client, qa, board):
    event, expert = qa
    thread = db.session.get(type(event).thread.property.mapper.class_, event.thread_id)
    posting.reply(expert, thread, "Happy to help.")
    html = text(client.get(f"/t/{event.thread_id}"))
    assert html.count("badge-expert") == 1 and "Questions for the experts" in html
    elsewhere = factories.make_thread(board, author=expert, title="Elsewhere")
    assert "badge-expert" not in text(client.get(f"/t/{elsewhere.id}"))


@pytest.mark.parametrize("kind", ["contest", "qa"])
@pytest.mark.parametrize("viewer", ["guest", "member", "moderator"])
def test_event_threads_keep_the_thread_page_budget(client, login, app, count_queries, board,
                                                   moderator, kind, viewer):
    if kind == "contest":
        event = make_contest(board, moderator)
        for n in range(4):
            _enter(event, title=f"Entry {n}")
    else:
        event, expert = make_qa(board, moderator)
        for n in range(3):
            question = expert_qa.ask(voter(), event, f"Question {n}", now=T0)
            expert_answers.answer(expert, event, question, f"Answer {n}",
                                  now=event.starts_at + timedelta(minutes=n + 1))
    if viewer == "member":
        login(voter())
    elif viewer == "moderator":
        login(moderator)
    for attempt in ("first", "later"):
        with count_queries() as queries:
            response = client.get(f"/t/{event.thread_id}")
        assert response.status_code == 200
        assert len(queries) <= THREAD_BUDGET, (attempt, [q[:60] for q in queries])


@pytest.mark.parametrize("path", ["entries", "results", "questions", "summary", ""])
def test_engagement_pages_have_a_fixed_budget(client, login, count_queries, board, moderator,
                                              page_clock, path):
    page_clock(AFTER)
    event = (make_contest(board, moderator) if path in ("entries", "results", "")
             else make_qa(board, moderator)[0])
    login(voter())

    def measure() -> int:
        client.get(f"/events/{event.id}/{path}".rstrip("/"))
        with count_queries() as queries:
            assert client.get(f"/events/{event.id}/{path}".rstrip("/")).status_code == 200
        return len(queries)

    few = measure()
    if event.kind == "contest":
        for n in range(5):
            entry = _enter(event, title=f"E{n}")
            challenge_votes.vote(voter(), event, entry, now=DURING_VOTING)
    else:
        _expert = expert_qa.experts(event)[0].user
        for n in range(5):
            question = expert_qa.ask(voter(), event, f"Q{n}", now=T0)
            expert_answers.answer(_expert, event, question, f"A{n}",
                                  now=event.starts_at + timedelta(minutes=1))
    many = measure()
    assert few == many and many <= PAGE_BUDGET
