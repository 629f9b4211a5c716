"""The community manager's desk: which items wait, when they leave by themselves, and what
the team's hand actions do (logged in the same transaction)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, Refused
from forum.extensions import db
from forum.models import DeskState, ModAction, Notification, PendingPost, Thread, utcnow
from forum.policy import Policy
from forum.services.content import answers, approving, posting
from forum.services.desk import actions, listing
from forum.services.desk.kinds import KINDS
from forum.stores import settings
from tests import factories
from tests.services import event_kit

LATER = timedelta(hours=25)


def _desk(user, now=None, **filters):
    return listing.desk(Policy(user, now or utcnow() + LATER), listing.Filters(**filters))


def _keys(desk):
    return {item.key for item in desk.items}


@pytest.fixture
def board(app):
    return factories.make_board(title="Help")


@pytest.fixture
def mod(app):
    return factories.make_user("mod", role="moderator")


def test_an_unanswered_thread_waits_after_its_boards_hours_and_leaves_on_a_reply(board, mod):
    asker = factories.make_established_user()
    thread = factories.make_thread(board, author=asker, title="Solder fumes?")
    assert ("unanswered", thread.id) not in _keys(_desk(mod, utcnow() + timedelta(hours=23)))
    assert ("unanswered", thread.id) in _keys(_desk(mod))
    # The author's own follow-up is no answer.
    factories.make_post(thread, author=asker, body="Anyone?")
    assert ("unanswered", thread.id) in _keys(_desk(mod))
    factories.make_post(thread, author=factories.make_user(), body="Use a fan.")
    assert ("unanswered", thread.id) not in _keys(_desk(mod))
    db.session.refresh(thread)
    assert thread.first_response_at is not None and thread.team_replied_at is None


def test_each_board_has_its_own_hours(board, mod):
    board.response_hours = 2
    db.session.commit()
    quick = factories.make_thread(board, author=factories.make_established_user())
    slow_board = factories.make_board(response_hours=48)
    slow = factories.make_thread(slow_board, author=factories.make_established_user())
    found = _keys(_desk(mod, utcnow() + timedelta(hours=3)))
    assert ("unanswered", quick.id) in found and ("unanswered", slow.id) not in found


def test_a_read_only_boards_threads_wait_for_no_one(board, mod):
    news = factories.make_board(title="News", is_read_only=True)
    announcement = factories.make_thread(news, author=mod, title="Maintenance on Sunday")
    asked = factories.make_thread(board, author=factories.make_established_user())
    found = _keys(_desk(mod))
    assert ("unanswered", announcement.id) not in found and ("unanswered", asked.id) in found


def test_a_team_reply_is_stored_as_such(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    factories.make_post(thread, author=mod, body="On it.")
    db.session.refresh(thread)
    assert thread.team_replied_at is not None and thread.first_response_at is not None


def test_a_question_without_accepted_answer_waits_until_one_is_marked(board, mod):
    board.is_questions = True
    db.session.commit()
    asker = factories.make_established_user()
    thread = factories.make_thread(board, author=asker, title="Which flux?")
    reply = factories.make_post(thread, author=factories.make_user(), body="Rosin.")
    later = utcnow() + timedelta(hours=settings.get("desk_question_hours") + 1)
    assert ("question", thread.id) in _keys(_desk(mod, later))
    answers.mark_answer(asker, reply)
    assert ("question", thread.id) not in _keys(_desk(mod, later))
    logged = db.session.scalar(select(ModAction).where(ModAction.action == "thread.accept_answer"))
    assert logged.after == {"answer": reply.id} and logged.actor_id == asker.id
    answers.unmark_answer(mod, thread)
    assert ("question", thread.id) in _keys(_desk(mod, later))


def test_only_the_asker_or_a_moderator_marks_the_answer(board):
    board.is_questions = True
    db.session.commit()
    thread = factories.make_thread(board, author=factories.make_established_user())
    reply = factories.make_post(thread, author=factories.make_user())
    with pytest.raises(Refused):
        answers.mark_answer(factories.make_user(), reply)
    with pytest.raises(Refused):
        answers.mark_answer(thread.author, thread.first_post)


@pytest.mark.parametrize("same", [True, False], ids=["the same reply", "two replies"])
def test_two_people_marking_the_answer_at_once_are_logged_once_each(app, board, mod, same):
    """The asker and a moderator mark at once: for one reply, one marks it and the other is
    told it is the answer already; for two, both changes are logged, the second with the
    first's answer as what it replaced."""
    from forum.models import Post, User
    from tests.services.moderation_kit import race

    board.is_questions = True
    db.session.commit()
    asker = factories.make_established_user()
    thread = factories.make_thread(board, author=asker, title="Which tip?")
    replies = [factories.make_post(thread, author=factories.make_user(), body=f"Tip {n}")
               for n in range(2)]
    chosen = [replies[0].id, replies[0].id if same else replies[1].id]
    people = [asker.id, mod.id]

    def job(n):
        def load():
            actor = db.session.get(User, people[n])
            post = db.session.get(Post, chosen[n])
            return lambda: answers.mark_answer(actor, post).id
        return load

    results = race(app, job(0), job(1))
    logged = db.session.scalars(select(ModAction).where(
        ModAction.action == "thread.accept_answer").order_by(ModAction.id)).all()
    if same:
        assert sorted(kind for kind, _value in results) == ["error", "ok"], results
        assert isinstance(next(v for k, v in results if k == "error"), Conflict)
        assert [entry.after for entry in logged] == [{"answer": replies[0].id}]
    else:
        assert [kind for kind, _value in results] == ["ok", "ok"], results
        assert logged[0].before == {"answer": None}
        assert logged[1].before == {"answer": logged[0].after["answer"]}
        final = db.session.get(Thread, thread.id).accepted_post_id
        assert final == logged[1].after["answer"]


def test_a_new_members_first_post_waits_until_the_team_replies(board, mod):
    newcomer = factories.make_user()
    thread = factories.make_thread(board, author=factories.make_established_user())
    first = factories.make_post(thread, author=newcomer, body="Hello all, first time here")
    second = factories.make_post(thread, author=newcomer, body="And again")
    found = _keys(_desk(mod, utcnow() + timedelta(minutes=5)))
    assert ("first_post", first.id) in found and ("first_post", second.id) not in found
    factories.make_post(thread, author=mod, body="Welcome!")
    assert ("first_post", first.id) not in _keys(_desk(mod, utcnow() + timedelta(minutes=5)))


def test_a_moderator_of_another_board_is_not_this_boards_team(board, mod):
    newcomer = factories.make_user()
    thread = factories.make_thread(board, author=factories.make_established_user())
    first = factories.make_post(thread, author=newcomer, body="Hello all, first time here")
    other_board = factories.make_board()
    factories.make_thread(other_board, author=factories.make_established_user())
    elsewhere = factories.make_board_moderator(factories.make_established_user(), other_board)
    factories.make_post(thread, author=elsewhere, body="Hi!")
    found = _keys(_desk(mod, utcnow() + timedelta(minutes=5)))
    assert ("first_post", first.id) in found
    keeper = factories.make_board_moderator(factories.make_established_user(), board)
    factories.make_post(thread, author=keeper, body="Welcome!")
    assert ("first_post", first.id) not in _keys(_desk(mod, utcnow() + timedelta(minutes=5)))


def test_a_post_waiting_for_approval_reaches_the_desk_once_approved(board, mod):
    newcomer = factories.make_user()
    newcomer.always_review = True
    db.session.commit()
    thread = factories.make_thread(board, author=factories.make_established_user())
    pending = posting.reply(newcomer, thread, "Hi, I'm new")
    assert isinstance(pending, PendingPost)
    soon = utcnow() + timedelta(minutes=5)
    assert not [key for key in _keys(_desk(mod, soon)) if key[0] == "first_post"]
    approving.approve(mod, pending)
    db.session.refresh(pending)
    assert ("first_post", pending.post_id) in _keys(_desk(mod, soon))


def test_an_event_soon_with_an_open_question_waits(board, mod):
    now = utcnow()
    event = event_kit.make_event(board=board, start=now + timedelta(hours=30), now=now)
    thread = db.session.get(Thread, event.thread_id)
    factories.make_post(thread, author=factories.make_established_user(), body="Parking?")
    assert ("event", event.id) in _keys(_desk(mod, now + timedelta(minutes=1)))
    factories.make_post(thread, author=event.author, body="Behind the hall.")
    assert ("event", event.id) not in _keys(_desk(mod, now + timedelta(minutes=1)))


def test_a_board_moderator_sees_their_boards_only(board):
    elsewhere = factories.make_board()
    here = factories.make_thread(board, author=factories.make_established_user())
    there = factories.make_thread(elsewhere, author=factories.make_established_user())
    keeper = factories.make_board_moderator(factories.make_user(), board)
    found = _keys(_desk(keeper))
    assert ("unanswered", here.id) in found and ("unanswered", there.id) not in found
    assert _desk(keeper).open_appeals is None


def test_members_have_no_desk(board):
    with pytest.raises(Refused):
        _desk(factories.make_user())


def test_done_hides_and_logs_in_one_transaction(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    now = utcnow() + LATER
    item = listing.get_item(Policy(mod, now), "unanswered", thread.id)
    actions.mark_done(mod, item, item.version, now=now)
    assert ("unanswered", thread.id) not in _keys(_desk(mod, now))
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "desk.done"))
    assert entry.actor_id == mod.id and entry.target_id == thread.id
    assert entry.after == {"desk_kind": "unanswered"}


def test_snooze_hides_until_the_time(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    now = utcnow() + LATER
    item = listing.get_item(Policy(mod, now), "unanswered", thread.id)
    actions.snooze(mod, item, 0, now + timedelta(hours=4), now=now)
    assert ("unanswered", thread.id) not in _keys(_desk(mod, now + timedelta(hours=3)))
    assert ("unanswered", thread.id) in _keys(_desk(mod, now + timedelta(hours=5)))
    with pytest.raises(Refused):
        actions.snooze(mod, item, 1, now - timedelta(hours=1), now=now)
    with pytest.raises(Refused):
        actions.snooze(mod, item, 1, now + timedelta(days=31), now=now)


def test_assigning_tells_the_assignee_and_feeds_mine(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    helper = factories.make_board_moderator(factories.make_user("helper"), board)
    now = utcnow() + LATER
    item = listing.get_item(Policy(mod, now), "unanswered", thread.id)
    actions.assign(mod, item, 0, helper, now=now)
    told = db.session.scalar(select(Notification).where(Notification.recipient_id == helper.id))
    assert told.key == "desk.assigned" and told.link == f"/desk/unanswered/{thread.id}"
    assert _desk(helper, now).mine == 1
    assert _keys(_desk(helper, now, mine=True)) == {("unanswered", thread.id)}
    assert _keys(_desk(mod, now, mine=True)) == set()
    assert _keys(_desk(mod, now, assignee=str(helper.id))) == {("unanswered", thread.id)}
    assert ("unanswered", thread.id) not in _keys(_desk(mod, now, assignee="none"))


def test_an_item_is_given_only_to_the_boards_team(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    outsider = factories.make_board_moderator(factories.make_user(), factories.make_board())
    now = utcnow() + LATER
    item = listing.get_item(Policy(mod, now), "unanswered", thread.id)
    with pytest.raises(Refused) as refused:
        actions.assign(mod, item, 0, outsider, now=now)
    assert refused.value.status == 400
    assert db.session.scalar(select(func.count()).select_from(ModAction)
                             .where(ModAction.action.like("desk.%"))) == 0


def test_acting_on_what_changed_meanwhile_is_refused_with_who_did_it(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    other = factories.make_user("other", role="moderator")
    now = utcnow() + LATER
    item = listing.get_item(Policy(mod, now), "unanswered", thread.id)
    actions.mark_done(other, item, 0, now=now)
    with pytest.raises(Conflict) as conflict:
        actions.snooze(mod, item, 0, now + timedelta(hours=1), now=now)
    assert "other" in conflict.value.reason


def test_replying_from_the_desk_posts_and_closes_in_one_step(board, mod):
    newcomer = factories.make_user()
    thread = factories.make_thread(board, author=factories.make_established_user())
    first = factories.make_post(thread, author=newcomer)
    now = utcnow() + timedelta(minutes=5)
    item = listing.get_item(Policy(mod, now), "first_post", first.id)
    post = actions.reply(mod, item, 0, "Welcome aboard!", now=now)
    assert post.thread_id == thread.id
    state = db.session.scalar(select(DeskState))
    assert state.done_by_id == mod.id and state.last_action == "reply"
    assert db.session.scalar(select(ModAction.action).where(ModAction.action == "desk.reply"))


def test_a_conflicting_reply_is_not_posted(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    now = utcnow() + LATER
    item = listing.get_item(Policy(mod, now), "unanswered", thread.id)
    actions.mark_done(factories.make_user(role="moderator"), item, 0, now=now)
    with pytest.raises(Conflict):
        actions.reply(mod, item, 0, "Late answer", now=now)
    db.session.refresh(thread)
    assert thread.reply_count == 0


def test_every_kind_is_named_in_the_log():
    from forum.services.audit_names import VALUE_NAMES

    assert set(VALUE_NAMES["desk_kind"]) == set(KINDS)
