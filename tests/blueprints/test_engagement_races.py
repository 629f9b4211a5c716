"""Contests and Q&As under real concurrent requests: each client is its own logged-in member,
all send at once (a barrier), and the counts must equal the rows afterwards."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Challenge,
    ChallengeBallot,
    ChallengeEntry,
    ChallengeVote,
    EventQuestion,
    QuestionVote,
)
from forum.services.community import challenge_votes, challenges, expert_qa
from tests import factories
from tests.services.engagement_kit import (
    CLOSES,
    DURING_ENTRIES,
    DURING_VOTING,
    T0,
    make_contest,
    make_qa,
    voter,
)


@pytest.fixture
def board(app):
    return factories.make_board(slug="contests", allows_member_events=True)


def _client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_cookie(user)
        session["_fresh"] = True
    return client


def _at_once(app, requests: list[tuple]) -> list[int]:
    """Send each (client, url, data) POST at the same moment; their status codes in order."""
    db.session.commit()
    barrier = threading.Barrier(len(requests))
    statuses: list[int | None] = [None] * len(requests)

    def send(index: int, client, url: str, data: dict) -> None:
        barrier.wait(30)
        statuses[index] = client.post(url, data=data).status_code

    workers = [threading.Thread(target=send, args=(n, *request))
               for n, request in enumerate(requests)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not any(worker.is_alive() for worker in workers), "a request hung"
    db.session.expire_all()
    return statuses


def _entry_count(event) -> tuple[int, int]:
    rows = db.session.scalar(select(func.count(ChallengeEntry.id)).where(
        ChallengeEntry.event_id == event.id))
    return db.session.get(Challenge, event.id).entry_count, rows


def test_two_votes_at_once_for_the_last_vote_count_once(app, board, moderator, page_clock):
    event = make_contest(board, moderator, votes="2")
    entries = [challenges.enter(voter(), event, f"E{n}", "Photo", now=DURING_ENTRIES)
               for n in range(3)]
    member = voter()
    challenge_votes.vote(member, event, entries[0], now=DURING_VOTING)
    page_clock(DURING_VOTING)
    clients = [_client_for(app, member), _client_for(app, member)]
    statuses = _at_once(app, [
        (clients[0], f"/events/{event.id}/entries/{entries[1].id}/vote", {}),
        (clients[1], f"/events/{event.id}/entries/{entries[2].id}/vote", {}),
    ])
    assert sorted(statuses) == [302, 409], statuses
    ballot = db.session.scalar(select(ChallengeBallot).where(ChallengeBallot.user_id == member.id))
    votes = db.session.scalar(select(func.count(ChallengeVote.id)).where(
        ChallengeVote.user_id == member.id))
    assert ballot.votes_used == votes == 2


def test_the_same_vote_sent_twice_at_once_counts_once(app, board, moderator, page_clock):
    event = make_contest(board, moderator, votes="3")
    entry = challenges.enter(voter(), event, "Only", "Photo", now=DURING_ENTRIES)
    member = voter()
    page_clock(DURING_VOTING)
    url = f"/events/{event.id}/entries/{entry.id}/vote"
    statuses = _at_once(app, [(_client_for(app, member), url, {}) for _ in range(3)])
    assert sorted(statuses) == [302, 409, 409], statuses
    db.session.refresh(entry)
    assert entry.vote_count == 1
    assert db.session.scalar(select(ChallengeBallot.votes_used)) == 1


def test_many_members_voting_at_once_are_all_counted(app, board, moderator, page_clock):
    event = make_contest(board, moderator)
    entry = challenges.enter(voter(), event, "Popular", "Photo", now=DURING_ENTRIES)
    members = [voter() for _ in range(6)]
    page_clock(DURING_VOTING)
    url = f"/events/{event.id}/entries/{entry.id}/vote"
    statuses = _at_once(app, [(_client_for(app, member), url, {}) for member in members])
    assert statuses == [302] * 6
    db.session.refresh(entry)
    rows = db.session.scalar(select(func.count(ChallengeVote.id)).where(
        ChallengeVote.entry_id == entry.id))
    assert entry.vote_count == rows == 6


def test_the_same_member_entering_twice_at_once_gets_one_entry(app, board, moderator,
                                                               page_clock):
    event = make_contest(board, moderator)
    member = voter()
    page_clock(DURING_ENTRIES)
    url = f"/events/{event.id}/entries"
    statuses = _at_once(app, [(_client_for(app, member), url,
                               {"title": f"Try {n}", "body": "Photo"}) for n in range(3)])
    assert sorted(statuses) == [302, 409, 409], statuses
    assert _entry_count(event) == (1, 1)


def test_the_last_entries_just_before_the_deadline_all_count(app, board, moderator,
                                                             page_clock):
    event = make_contest(board, moderator)
    members = [voter() for _ in range(5)]
    page_clock(CLOSES - timedelta(milliseconds=1))
    url = f"/events/{event.id}/entries"
    statuses = _at_once(app, [(_client_for(app, member), url,
                               {"title": member.username, "body": "Photo"})
                              for member in members])
    assert statuses == [302] * 5
    assert _entry_count(event) == (5, 5)
    page_clock(CLOSES)
    late = [voter() for _ in range(2)]
    statuses = _at_once(app, [(_client_for(app, member), url,
                               {"title": member.username, "body": "Photo"})
                              for member in late])
    assert statuses == [409, 409]
    assert _entry_count(event) == (5, 5)


def test_question_votes_at_once_count_each_member_once(app, board, moderator, page_clock):
    event, _ = make_qa(board, moderator)
    question = expert_qa.ask(voter(), event, "Which strings?", now=T0)
    twice, others = voter(), [voter() for _ in range(3)]
    page_clock(T0)
    url = f"/events/{event.id}/questions/{question.id}/vote"
    requests = [(_client_for(app, twice), url, {}), (_client_for(app, twice), url, {})]
    requests += [(_client_for(app, member), url, {}) for member in others]
    statuses = _at_once(app, requests)
    assert sorted(statuses[:2]) == [302, 409] and statuses[2:] == [302] * 3, statuses
    db.session.refresh(question)
    rows = db.session.scalar(select(func.count(QuestionVote.id)).where(
        QuestionVote.question_id == question.id))
    assert question.vote_count == rows == 4


def test_a_vote_racing_a_merge_is_never_counted_twice(app, board, moderator, page_clock):
    event, _ = make_qa(board, moderator)
    kept = expert_qa.ask(voter(), event, "Kept", now=T0)
    duplicate = expert_qa.ask(voter(), event, "Duplicate", now=T0)
    fan = voter()
    expert_qa.vote(fan, event, duplicate, now=T0)
    page_clock(T0)
    statuses = _at_once(app, [
        (_client_for(app, fan), f"/events/{event.id}/questions/{kept.id}/vote", {}),
        (_client_for(app, moderator), f"/events/{event.id}/questions/{duplicate.id}/merge",
         {"target": str(kept.id)}),
    ])
    assert set(statuses) <= {302, 409}, statuses
    kept = db.session.get(EventQuestion, kept.id)
    rows = db.session.scalar(select(func.count(QuestionVote.id)).where(
        QuestionVote.question_id == kept.id))
    fan_rows = db.session.scalar(select(func.count(QuestionVote.id)).where(
        QuestionVote.question_id == kept.id, QuestionVote.user_id == fan.id))
    assert kept.vote_count == rows and fan_rows == 1
