"""Poll rules without HTTP: what a poll may be, voting and changing a vote (with the counts in
SQL), racing ballots, closing, and what moderators do to polls, logged in the same
transaction."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, InvalidField, Refused
from forum.extensions import db
from forum.models import (
    Access,
    ModAction,
    Poll,
    PollBallot,
    PollOption,
    PollVote,
    ResultsShown,
    Thread,
)
from forum.policy import Policy
from forum.services.community.polls import making, specs, voting
from forum.services.community.polls import reading as poll_reading
from forum.services.moderation import sanctions
from tests import factories
from tests.services.moderation_kit import race

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def spec(options=("Red", "Green", "Blue"), **fields) -> specs.PollSpec:
    return specs.PollSpec(question=fields.pop("question", "Favourite colour?"),
                          options=tuple(options), **fields)


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Colours")


@pytest.fixture
def poll(thread, member):
    return making.add_poll(member, thread, spec())


def counts(poll: Poll) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(PollOption.votes).where(PollOption.poll_id == poll.id)
                                   .order_by(PollOption.position)))


def voters(poll: Poll) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Poll.voter_count).where(Poll.id == poll.id))


def option_ids(poll: Poll) -> list[int]:
    return [option.id for option in poll.options]


# -- what a poll may be ---------------------------------------------------------------------------
def test_clean_spec_reads_options_a_line_and_the_choices():
    made = specs.clean_spec("  Which   day? ", "Monday\n\n  Tuesday \nWednesday\n",
                            multiple=True, max_choices=2, results_shown="voted",
                            is_public=True, is_changeable=False, closes_at=None, now=NOW)
    assert made.question == "Which day?"
    assert made.options == ("Monday", "Tuesday", "Wednesday")
    assert (made.max_choices, made.results_shown, made.is_public, made.is_changeable) == (
        2, "voted", True, False)
    single = specs.clean_spec("Q", "a\nb", multiple=False, max_choices=5, results_shown="always",
                              is_public=False, is_changeable=True, closes_at=None, now=NOW)
    assert single.max_choices == 1
    unbounded = specs.clean_spec("Q", "a\nb\nc", multiple=True, max_choices=None,
                                 results_shown="always", is_public=False, is_changeable=True,
                                 closes_at=None, now=NOW)
    assert unbounded.max_choices == 3


@pytest.mark.parametrize(("question", "options", "fields", "field"), [
    ("", "a\nb", {}, "poll_question"),
    ("x" * 301, "a\nb", {}, "poll_question"),
    ("Q", "only one", {}, "poll_options"),
    ("Q", "\n".join(f"o{n}" for n in range(21)), {}, "poll_options"),
    ("Q", "a\nA", {}, "poll_options"),
    ("Q", "a\n" + "b" * 201, {}, "poll_options"),
    ("Q", "a\nb", {"multiple": True, "max_choices": 3}, "poll_max_choices"),
    ("Q", "a\nb", {"multiple": True, "max_choices": 0}, "poll_max_choices"),
    ("Q", "a\nb", {"results_shown": "never"}, "poll_results"),
    ("Q", "a\nb", {"closes_at": NOW - timedelta(minutes=1)}, "poll_closes_at"),
    ("Q", "a\nb", {"closes_at": NOW + timedelta(days=366)}, "poll_closes_at"),
])
def test_clean_spec_refuses_with_the_field(question, options, fields, field):
    arguments = {"multiple": False, "max_choices": None, "results_shown": "always",
                 "is_public": False, "is_changeable": True, "closes_at": None, **fields}
    with pytest.raises(InvalidField) as refused:
        specs.clean_spec(question, options, now=NOW, **arguments)
    assert refused.value.field == field and refused.value.status == 400


# -- making ---------------------------------------------------------------------------------------
def test_a_new_thread_with_its_poll_is_one_unit(board, member):
    thread = making.create_thread_with_poll(member, board, "Lunch", "Where?", spec())
    poll = db.session.scalar(select(Poll).where(Poll.thread_id == thread.id))
    assert [option.label for option in poll.options] == ["Red", "Green", "Blue"]
    assert poll.author_id == member.id


def test_a_thread_held_for_approval_takes_no_poll_and_nothing_is_saved(app, board):
    from forum.models import PendingPost

    newcomer = factories.make_user()
    board.threads_need_approval = True
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Thread))
    with pytest.raises(InvalidField) as refused:
        making.create_thread_with_poll(newcomer, board, "Lunch", "Where?", spec())
    assert refused.value.field == "poll_question"
    assert db.session.scalar(select(func.count()).select_from(Thread)) == before
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0
    assert db.session.scalar(select(func.count()).select_from(PendingPost)) == 0


def test_only_the_author_or_a_moderator_adds_a_poll(thread, other_member, board):
    with pytest.raises(Refused):
        making.add_poll(other_member, thread, spec())
    moderator = factories.make_board_moderator(factories.make_user(), board)
    making.add_poll(moderator, thread, spec())
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "poll.add"))
    assert entry.actor_id == moderator.id and entry.target_id == thread.id
    with pytest.raises(Conflict):
        making.add_poll(moderator, thread, spec())


def test_the_author_of_a_locked_thread_adds_no_poll(thread, member):
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(Refused):
        making.add_poll(member, thread, spec())


def test_two_polls_added_at_once_make_one(app, thread, member):
    member_id, thread_id = member.id, thread.id

    def job():
        from forum.models import Thread as ThreadModel
        from forum.models import User

        actor = db.session.get(User, member_id)
        target = db.session.get(ThreadModel, thread_id)
        return lambda: making.add_poll(actor, target, spec())

    results = race(app, job, job)
    assert sorted(outcome for outcome, _value in results) == ["error", "ok"]
    assert isinstance([value for outcome, value in results if outcome == "error"][0], Conflict)
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 1


# -- voting ---------------------------------------------------------------------------------------
def test_votes_count_in_sql_and_a_change_moves_them(poll, other_member):
    red, green, blue = option_ids(poll)
    assert voting.vote(other_member, poll, [red]) is True
    assert counts(poll) == [1, 0, 0] and voters(poll) == 1
    assert voting.vote(other_member, poll, [blue]) is False
    assert counts(poll) == [0, 0, 1] and voters(poll) == 1
    assert voting.withdraw(other_member, poll) is True
    assert counts(poll) == [0, 0, 0] and voters(poll) == 0
    assert voting.withdraw(other_member, poll) is False


def test_a_vote_that_cant_be_changed_is_refused_and_kept(thread, member, other_member):
    poll = making.add_poll(member, thread, spec(is_changeable=False))
    red, green, _blue = option_ids(poll)
    voting.vote(other_member, poll, [red])
    with pytest.raises(Conflict):
        voting.vote(other_member, poll, [green])
    with pytest.raises(Conflict):
        voting.withdraw(other_member, poll)
    assert counts(poll) == [1, 0, 0]


@pytest.mark.parametrize("choice", ["none", "twice", "too many", "foreign"])
def test_bad_choices_are_refused_and_nothing_saved(poll, thread, member, other_member, board,
                                                   choice):
    red, green, blue = option_ids(poll)
    other_thread = factories.make_thread(board, author=member, title="Other")
    other = making.add_poll(member, other_thread, spec())
    chosen = {"none": [], "twice": [red, red], "too many": [red, green],
              "foreign": [other.options[0].id]}[choice]
    with pytest.raises(InvalidField) as refused:
        voting.vote(other_member, poll, chosen)
    assert refused.value.status == 400
    assert counts(poll) == [0, 0, 0] and counts(other) == [0, 0, 0]
    assert db.session.scalar(select(func.count()).select_from(PollBallot)) == 0


def test_multiple_choice_up_to_the_maximum(thread, member, other_member):
    poll = making.add_poll(member, thread, spec(max_choices=2))
    red, green, blue = option_ids(poll)
    voting.vote(other_member, poll, [red, blue])
    assert counts(poll) == [1, 0, 1] and voters(poll) == 1
    with pytest.raises(InvalidField):
        voting.vote(other_member, poll, [red, green, blue])
    assert counts(poll) == [1, 0, 1]


@pytest.mark.parametrize("value", ["", "x", "-1", "1.5", "١"])
def test_parse_choices_refuses_anything_but_whole_numbers(value):
    with pytest.raises(InvalidField):
        voting.parse_choices([value])


def test_no_vote_on_a_closed_poll_a_locked_or_deleted_thread(poll, thread, other_member):
    red = option_ids(poll)[0]
    poll.closes_at = NOW
    db.session.commit()
    with pytest.raises(Refused):
        voting.vote(other_member, poll, [red], now=NOW + timedelta(seconds=1))
    poll.closes_at = None
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(Refused):
        voting.vote(other_member, poll, [red])
    thread.is_locked, thread.is_deleted = False, True
    db.session.commit()
    with pytest.raises(Refused):
        voting.vote(other_member, poll, [red])
    assert counts(poll) == [0, 0, 0]


def test_no_vote_in_a_board_one_cannot_read(app, member):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    moderator = factories.make_user(role="moderator")
    thread = factories.make_thread(staff, author=moderator)
    poll = making.add_poll(moderator, thread, spec())
    with pytest.raises(Refused) as refused:
        voting.vote(member, poll, [poll.options[0].id])
    assert refused.value.status == 403
    assert counts(poll) == [0, 0, 0]


def test_a_timed_out_member_doesnt_vote(poll, other_member):
    issuer = factories.make_user(role="moderator")
    sanctions.timeout(issuer, other_member, "Cool off", timedelta(hours=2))
    with pytest.raises(Refused):
        voting.vote(other_member, poll, [poll.options[0].id])


def test_two_members_voting_at_once_both_count(app, poll):
    first, second = factories.make_user(), factories.make_user()
    red, poll_id = option_ids(poll)[0], poll.id

    def job(user_id):
        def load():
            from forum.models import User

            actor = db.session.get(User, user_id)
            target = db.session.get(Poll, poll_id)
            target.options  # noqa: B018  (loaded before the race)
            return lambda: voting.vote(actor, target, [red])
        return load

    results = race(app, job(first.id), job(second.id))
    assert [outcome for outcome, _value in results] == ["ok", "ok"]
    assert counts(poll) == [2, 0, 0] and voters(poll) == 2


@pytest.mark.parametrize("changeable", [True, False])
def test_one_member_voting_twice_at_once_counts_once(app, thread, member, changeable):
    poll = making.add_poll(member, thread, spec(is_changeable=changeable))
    voter = factories.make_user()
    red, green, _blue = option_ids(poll)
    poll_id, voter_id = poll.id, voter.id

    def job(choice):
        def load():
            from forum.models import User

            actor = db.session.get(User, voter_id)
            target = db.session.get(Poll, poll_id)
            target.options  # noqa: B018
            return lambda: voting.vote(actor, target, [choice])
        return load

    results = race(app, job(red), job(green))
    assert voters(poll) == 1 and sum(counts(poll)) == 1
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == 1
    outcomes = sorted(outcome for outcome, _value in results)
    assert outcomes == (["ok", "ok"] if changeable else ["error", "ok"])


# -- seeing results ------------------------------------------------------------------------------
def test_results_follow_the_setting(thread, member, other_member, board):
    poll = making.add_poll(member, thread, spec(results_shown=ResultsShown.VOTED.value))
    assert not Policy(other_member).sees_poll_results(poll, voted=False)
    assert Policy(other_member).sees_poll_results(poll, voted=True)
    moderator = factories.make_board_moderator(factories.make_user(), board)
    assert Policy(moderator).sees_poll_results(poll, voted=False)
    poll.results_shown = ResultsShown.CLOSED.value
    assert not Policy(other_member).sees_poll_results(poll, voted=True)
    poll.closed_at = NOW
    assert Policy(other_member).sees_poll_results(poll, voted=False)


def test_the_page_box_is_one_statement(count_queries, poll, thread, other_member):
    voting.vote(other_member, poll, [poll.options[1].id])
    db.session.expire_all()
    viewer = Policy(other_member)
    viewer.acting_sanction()  # the member's standing, asked by every page anyway
    target = db.session.get(Thread, thread.id)
    target.board  # noqa: B018
    with count_queries() as queries:
        box = poll_reading.box_for(viewer, target)
    assert len(queries) == 1
    assert [option.chosen for option in box.options] == [False, True, False]
    assert box.voted and box.results_visible and box.options[1].share == 1.0


def test_voters_of_a_public_poll_leave_out_names_the_viewer_blocked(thread, member, board):
    from forum.services import blocks

    poll = making.add_poll(member, thread, spec(is_public=True))
    friend, pest, reader = factories.make_user(), factories.make_user(), factories.make_user()
    for voter in (friend, pest):
        voting.vote(voter, poll, [poll.options[0].id])
    blocks.block(reader, pest)
    groups = poll_reading.voters(Policy(reader), poll)
    assert [user.id for user in groups[0].voters] == [friend.id] and groups[0].blocked == 1
    assert [user.id for user in poll_reading.voters(Policy(member), poll)[0].voters] == [
        friend.id, pest.id]
    anonymous_thread = factories.make_thread(board, author=member, title="Secret")
    anonymous = making.add_poll(member, anonymous_thread, spec())
    with pytest.raises(Refused):
        poll_reading.voters(Policy(reader), anonymous)


# -- managing -------------------------------------------------------------------------------------
def test_the_author_changes_the_poll_until_someone_votes(poll, member, other_member):
    making.edit_poll(member, poll, "Best colour?", "Crimson\nGreen\nBlue", None)
    assert poll.question == "Best colour?" and poll.options[0].label == "Crimson"
    assert db.session.scalar(select(func.count()).select_from(ModAction)) == 0
    voting.vote(other_member, poll, [poll.options[0].id])
    with pytest.raises(Refused):
        making.edit_poll(member, poll, "Rigged?", "Crimson\nGreen\nBlue", None)
    with pytest.raises(Refused):
        making.delete_poll(member, poll)
    making.close_poll(member, poll, now=NOW + timedelta(seconds=1))
    assert poll.closed_at is not None


def test_an_edit_keeps_one_line_per_option(poll, member):
    with pytest.raises(InvalidField) as refused:
        making.edit_poll(member, poll, "Q", "Red\nGreen", None)
    assert refused.value.field == "poll_options"


def test_a_moderators_edit_close_and_delete_are_logged(poll, thread, other_member, board):
    moderator = factories.make_board_moderator(factories.make_user(), board)
    voting.vote(other_member, poll, [poll.options[0].id])
    making.edit_poll(moderator, poll, "Favourite colour, honestly?", "Red\nGreen\nBlue", None,
                     reason="Clearer")
    edit = db.session.scalar(select(ModAction).where(ModAction.action == "poll.edit"))
    assert edit.reason == "Clearer" and edit.before == {"question": "Favourite colour?"}
    assert edit.after == {"question": "Favourite colour, honestly?"}
    making.close_poll(moderator, poll, reason="Settled")
    assert db.session.scalar(select(ModAction).where(ModAction.action == "poll.close")).reason \
        == "Settled"
    with pytest.raises(Conflict):
        making.close_poll(moderator, poll)
    making.delete_poll(moderator, poll, reason="Off topic")
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "poll.delete"))
    assert entry.before["votes"] == [1, 0, 0] and entry.target_id == thread.id
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == 0


def test_a_moderators_close_that_fails_leaves_no_log_entry(poll, board):
    moderator = factories.make_board_moderator(factories.make_user(), board)
    making.close_poll(moderator, poll)
    with pytest.raises(Conflict):
        making.close_poll(moderator, poll)
    assert db.session.scalar(select(func.count()).select_from(ModAction)
                             .where(ModAction.action == "poll.close")) == 1


def test_others_manage_nothing(poll, other_member):
    with pytest.raises(Refused):
        making.close_poll(other_member, poll)
    with pytest.raises(Refused):
        making.delete_poll(other_member, poll)


def test_a_members_votes_are_in_their_export(thread, member, other_member, board):
    from forum.services import data_export

    poll = making.add_poll(member, thread, spec(max_choices=2))
    voting.vote(other_member, poll, [poll.options[2].id, poll.options[0].id])
    exported = data_export.export(other_member)["poll_votes"]
    assert [(row["question"], row["option"]) for row in exported] == [
        ("Favourite colour?", "Red"), ("Favourite colour?", "Blue")]
    board.access = Access.STAFF
    db.session.commit()
    closed = data_export.export(other_member)["poll_votes"]
    assert [(row["poll_id"], row["question"], row["option"]) for row in closed] == [
        (poll.id, None, None), (poll.id, None, None)]


def test_an_author_deleting_while_a_member_votes_gets_one_or_the_other(app, poll, member,
                                                                       other_member):
    """The delete decides from the votes with the poll's row held: either the vote counts and
    the author (no moderator) may no longer delete, or the poll goes and the vote is refused.
    Never both, never a lost vote on a deleted poll, never a 5xx-shaped database error."""
    red = option_ids(poll)[0]
    poll_id, author_id, voter_id = poll.id, member.id, other_member.id

    def deleting():
        from forum.models import User

        actor, target = db.session.get(User, author_id), db.session.get(Poll, poll_id)
        return lambda: making.delete_poll(actor, target)

    def voting_now():
        from forum.models import User

        actor, target = db.session.get(User, voter_id), db.session.get(Poll, poll_id)
        return lambda: voting.vote(actor, target, [red])

    results = race(app, deleting, voting_now)
    outcomes = [outcome for outcome, _value in results]
    assert outcomes.count("ok") == 1, results
    refused = [value for outcome, value in results if outcome == "error"][0]
    assert isinstance(refused, Refused), refused
    db.session.expire_all()
    left = db.session.get(Poll, poll_id)
    if outcomes[0] == "ok":  # deleted first
        assert left is None
    else:  # counted first: the poll stays with its vote
        assert left is not None and left.voter_count == 1
