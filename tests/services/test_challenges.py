"""Contests: the schedule, entries in their window, votes, disqualifying and the winners."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Refused
from forum.extensions import db
from forum.models import (
    Challenge,
    ChallengeBallot,
    ChallengeEntry,
    ChallengeVote,
    ModAction,
    Notification,
    Post,
)
from forum.services.community import challenge_votes, challenges
from tests import factories
from tests.services.engagement_kit import (
    AFTER,
    CLOSES,
    DURING_ENTRIES,
    DURING_VOTING,
    OPENS,
    T0,
    make_contest,
    schedule_data,
    voter,
)
from tests.services.event_kit import make_event


@pytest.fixture
def board(app):
    return factories.make_board(slug="contests", allows_member_events=True)


@pytest.fixture
def contest(board, moderator):
    return make_contest(board, moderator)


def _enter(event, user=None, title="Sunset", now=DURING_ENTRIES):
    return challenges.enter(user or voter(), event, title, "My *photo*.", now=now)


def _status(call) -> int:
    with pytest.raises(Refused) as caught:
        call()
    return caught.value.status


# -- the schedule -------------------------------------------------------------------------------
def test_schedule_is_stored_in_utc_and_logged(contest, moderator):
    challenge = db.session.get(Challenge, contest.id)
    assert (challenge.entries_open_at, challenge.entries_close_at) == (OPENS, CLOSES)
    assert challenge.votes_per_member == 2 and challenge.one_entry_per_member
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "challenge.schedule"))
    assert entry.actor_id == moderator.id and entry.after["votes_per_member"] == 2


@pytest.mark.parametrize("overrides, field", [
    ({"entries_close_at": "2026-11-25T14:30"}, "entries_close_at"),
    ({"voting_close_at": "2026-11-26T10:00"}, "voting_close_at"),
    ({"entries_open_at": "soon"}, "entries_open_at"),
    ({"votes_per_member": "0"}, "votes_per_member"),
    ({"votes_per_member": "²"}, "votes_per_member"),
    ({"voting_close_at": "2046-01-01T00:00"}, "voting_close_at"),
])
def test_a_bad_schedule_is_refused_with_its_field(board, moderator, overrides, field):
    event = make_event(moderator, board, kind="contest")
    with pytest.raises(Refused) as caught:
        challenges.schedule(moderator, event, schedule_data(**overrides), now=T0)
    assert caught.value.status == 400 and caught.value.field == field
    assert db.session.get(Challenge, event.id) is None


def test_only_contests_take_a_schedule_and_only_their_organisers_set_it(board, moderator,
                                                                         member):
    meetup = make_event(moderator, board)
    assert _status(lambda: challenges.schedule(moderator, meetup, schedule_data(), now=T0)) == 404
    contest = make_event(moderator, board, kind="contest")
    assert _status(lambda: challenges.schedule(member, contest, schedule_data(), now=T0)) == 403


# -- entries ------------------------------------------------------------------------------------
def test_an_entry_is_a_marked_post_in_the_thread(contest):
    entrant = voter()
    entry = _enter(contest, entrant, title="Sunset *over* [the] bay")
    post = db.session.get(Post, entry.post_id)
    assert post.thread_id == contest.thread_id and post.author_id == entrant.id
    assert "Contest entry: Sunset *over* [the] bay" in post.body_html.replace("<strong>", "") \
        .replace("</strong>", "").replace("\\", "")
    assert f"{contest.url}/entries" in post.body_html
    assert db.session.get(Challenge, contest.id).entry_count == 1


@pytest.mark.parametrize("now, status", [(T0, 409), (CLOSES, 409), (AFTER, 409)])
def test_entries_outside_the_window_are_refused(contest, now, status):
    entrant = voter()
    assert _status(lambda: _enter(contest, entrant, now=now)) == status
    assert db.session.scalar(select(func.count(ChallengeEntry.id))) == 0


def test_the_last_moment_before_the_close_still_counts(contest):
    _enter(contest, now=CLOSES - timedelta(microseconds=1))
    assert db.session.get(Challenge, contest.id).entry_count == 1


def test_one_entry_per_member_unless_the_contest_allows_more(board, moderator, contest):
    entrant = voter()
    _enter(contest, entrant)
    assert _status(lambda: _enter(contest, entrant, title="Again")) == 409
    open_contest = make_contest(board, moderator, one_each=False)
    _enter(open_contest, entrant)
    _enter(open_contest, entrant, title="Second")
    assert db.session.scalar(select(func.count(ChallengeEntry.id)).where(
        ChallengeEntry.event_id == open_contest.id)) == 2


@pytest.mark.parametrize("title, body", [("", "Text"), ("x" * 121, "Text"), ("Fine", "  ")])
def test_bad_entries_are_refused_and_nothing_is_saved(contest, title, body):
    with pytest.raises(Refused) as caught:
        challenges.enter(voter(), contest, title, body, now=DURING_ENTRIES)
    assert caught.value.status == 400
    assert db.session.get(Challenge, contest.id).entry_count == 0
    assert db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == contest.thread_id)) == 1


def test_an_entry_answers_to_the_posting_rules(app, board, moderator):
    """An entry is a post: a member whose posts wait for approval can't skip the wait by
    entering, and entries count against the flood interval like any reply."""
    from forum.models import PendingPost

    held = voter()
    held.always_review = True
    db.session.commit()
    contest = make_contest(board, moderator, one_each=False)
    assert _status(lambda: _enter(contest, held)) == 403
    assert db.session.get(Challenge, contest.id).entry_count == 0
    assert db.session.scalar(select(func.count(PendingPost.id))) == 0
    app.config["MEMBER_COOLDOWNS"] = True
    quick = voter()
    _enter(contest, quick)
    assert _status(lambda: _enter(contest, quick, title="Again at once")) == 429
    assert db.session.scalar(select(func.count(ChallengeEntry.id)).where(
        ChallengeEntry.event_id == contest.id)) == 1


def test_a_contest_without_schedule_takes_no_entries(board, moderator):
    event = make_event(moderator, board, kind="contest")
    assert _status(lambda: _enter(event)) == 404


# -- votes --------------------------------------------------------------------------------------
def test_votes_count_in_the_voting_window_only(contest):
    entry = _enter(contest)
    member = voter()
    assert _status(lambda: challenge_votes.vote(member, contest, entry,
                                                now=DURING_ENTRIES)) == 409
    assert _status(lambda: challenge_votes.vote(member, contest, entry, now=AFTER)) == 409
    challenge_votes.vote(member, contest, entry, now=DURING_VOTING)
    db.session.refresh(entry)
    assert entry.vote_count == 1
    assert challenge_votes.my_votes(member, contest) == {entry.id}


def test_no_vote_for_ones_own_entry_nor_twice_nor_beyond_the_limit(contest):
    entrant = voter()
    own = _enter(contest, entrant)
    others = [_enter(contest, title=f"E{n}") for n in range(3)]
    assert _status(lambda: challenge_votes.vote(entrant, contest, own, now=DURING_VOTING)) == 403
    challenge_votes.vote(entrant, contest, others[0], now=DURING_VOTING)
    assert _status(lambda: challenge_votes.vote(entrant, contest, others[0],
                                                now=DURING_VOTING)) == 409
    challenge_votes.vote(entrant, contest, others[1], now=DURING_VOTING)
    assert _status(lambda: challenge_votes.vote(entrant, contest, others[2],
                                                now=DURING_VOTING)) == 409
    ballot = db.session.scalar(select(ChallengeBallot).where(ChallengeBallot.user_id == entrant.id))
    assert ballot.votes_used == 2
    assert db.session.scalar(select(func.count(ChallengeVote.id))) == 2


def test_new_accounts_may_not_vote(app, contest):
    entry = _enter(contest)
    newcomer = factories.make_user(created_at=DURING_VOTING - timedelta(days=2))
    assert _status(lambda: challenge_votes.vote(newcomer, contest, entry,
                                                now=DURING_VOTING)) == 403
    from forum.services.site import settings as site_settings

    site_settings.update(factories.make_user(role="admin"),
                         {"challenge_vote_min_account_days": "1"})
    challenge_votes.vote(newcomer, contest, entry, now=DURING_VOTING)


def test_disqualifying_is_logged_told_and_stops_votes(contest, moderator, member):
    entrant = voter()
    entry = _enter(contest, entrant)
    assert _status(lambda: challenge_votes.disqualify(member, contest, entry, "No",
                                                      now=DURING_VOTING)) == 403
    assert _status(lambda: challenge_votes.disqualify(moderator, contest, entry, " ",
                                                      now=DURING_VOTING)) == 400
    challenge_votes.disqualify(moderator, contest, entry, "Not your own photo",
                               now=DURING_VOTING)
    log = db.session.scalar(select(ModAction).where(ModAction.action == "challenge.disqualify"))
    assert log.reason == "Not your own photo" and log.after["entrant"] == entrant.id
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == entrant.id,
                                                        Notification.key
                                                        == "challenge.disqualified"))
    assert note is not None
    assert _status(lambda: challenge_votes.vote(voter(), contest, entry,
                                                now=DURING_VOTING)) == 409
    assert _status(lambda: challenge_votes.disqualify(moderator, contest, entry, "Again",
                                                      now=DURING_VOTING)) == 409


# -- winners ------------------------------------------------------------------------------------
def test_winners_are_announced_once_after_voting(contest, moderator, member):
    entrants = [voter() for _ in range(3)]
    entries = [_enter(contest, user, title=f"Photo {n}") for n, user in enumerate(entrants)]
    for count, entry in zip((1, 3, 2), entries, strict=True):
        for _ in range(count):
            challenge_votes.vote(voter(), contest, entry, now=DURING_VOTING)
    ranking = challenges.entries(contest)
    assert [entry.title for entry in ranking] == ["Photo 1", "Photo 2", "Photo 0"]
    places = [str(entry.id) for entry in ranking]
    assert _status(lambda: challenge_votes.announce_winners(moderator, contest, places,
                                                            now=DURING_VOTING)) == 409
    assert _status(lambda: challenge_votes.announce_winners(member, contest, places,
                                                            now=AFTER)) == 403
    assert _status(lambda: challenge_votes.announce_winners(moderator, contest,
                                                            [places[0], places[0]],
                                                            now=AFTER)) == 400
    assert _status(lambda: challenge_votes.announce_winners(moderator, contest,
                                                            ["", places[0]], now=AFTER)) == 400
    challenge_votes.announce_winners(moderator, contest, places, now=AFTER)
    assert [entry.title for entry in challenge_votes.podium(contest)] == [
        "Photo 1", "Photo 2", "Photo 0"]
    challenge = db.session.get(Challenge, contest.id)
    post = db.session.get(Post, challenge.announcement_post_id)
    assert post.thread_id == contest.thread_id and "Photo 1" in post.body_html
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.key == "challenge.results")))
    assert told == {user.id for user in entrants}
    assert db.session.scalar(select(ModAction).where(ModAction.action == "challenge.winners"))
    assert _status(lambda: challenge_votes.announce_winners(moderator, contest, places,
                                                            now=AFTER)) == 409


def test_the_data_export_holds_entries_and_votes(contest):
    from forum.services import data_export

    entrant, fan = voter(), voter()
    entry = _enter(contest, entrant, title="Workbench")
    challenge_votes.vote(fan, contest, entry, now=DURING_VOTING)
    mine = data_export.export(entrant)
    assert [row["title"] for row in mine["contest_entries"]] == ["Workbench"]
    assert mine["contest_entries"][0]["votes"] == 1 and mine["contest_votes"] == []
    assert [row["entry"] for row in data_export.export(fan)["contest_votes"]] == ["Workbench"]


def test_the_standings_are_the_event_moderators_until_voting_closes(contest, moderator):
    from forum.policy import Policy

    member = voter()
    for phase in ("entries", "voting"):
        assert not Policy(member).can_see_contest_standings(contest, phase)
        assert not Policy(None).can_see_contest_standings(contest, phase)
        assert Policy(moderator).can_see_contest_standings(contest, phase)
    assert Policy(member).can_see_contest_standings(contest, "closed")
    assert Policy(None).can_see_contest_standings(contest, "closed")
