"""A thread's first response and the team's first reply follow its replies: a reply deleted,
hidden, moved away by a split or a merge, or purged with a spammer's posts no longer answers
the thread, and one restored or shown again answers it again (the desk and the response
figures read these stamps)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Post, Thread, utcnow
from forum.policy import Policy
from forum.services.content import posting, response_stamps, watched_words
from forum.services.desk import listing
from forum.services.moderation import post_tools, spammers, thread_merging
from tests import factories
from tests.services.moderation_kit import reported_post


@pytest.fixture
def board(app):
    return factories.make_board(title="Help")


@pytest.fixture
def mod(app):
    return factories.make_user("mod", role="moderator")


def _stamps(thread_id: int):
    thread = db.session.get(Thread, thread_id)
    db.session.refresh(thread)
    return thread.first_response_at, thread.team_replied_at


def _unanswered(viewer, thread_id: int) -> bool:
    desk = listing.desk(Policy(viewer, utcnow() + timedelta(days=2)))
    return ("unanswered", thread_id) in {item.key for item in desk.items}


def test_deleting_the_only_reply_leaves_the_thread_unanswered_again(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    helper = factories.make_user()
    reply = factories.make_post(thread, author=helper, body="Try a fan.")
    answered, _team = _stamps(thread.id)
    assert answered is not None and not _unanswered(mod, thread.id)

    posting.delete_post(helper, db.session.get(Post, reply.id))
    assert _stamps(thread.id) == (None, None)
    assert _unanswered(mod, thread.id)

    post_tools.restore_post(mod, db.session.get(Post, reply.id), "Deleted by mistake.")
    assert _stamps(thread.id) == (answered, None)
    assert not _unanswered(mod, thread.id)


def test_the_first_response_moves_to_the_next_reply_and_the_team_reply_stays(board, mod):
    asker = factories.make_established_user()
    thread = factories.make_thread(board, author=asker)
    early = factories.make_post(thread, author=factories.make_user(), body="First!")
    own = factories.make_post(thread, author=asker, body="Still stuck.")
    team = factories.make_post(thread, author=mod, body="Which model is it?")
    team_at = db.session.get(Post, team.id).created_at
    moderator_notice = posting.add_notice(mod, db.session.get(Thread, thread.id), "Be kind.",
                                          utcnow())
    db.session.commit()
    assert moderator_notice.is_mod_notice

    posting.delete_post(mod, db.session.get(Post, early.id), "Off topic.")
    # The asker's own follow-up and the notice answer nothing: the moderator's reply does.
    assert _stamps(thread.id) == (team_at, team_at)
    assert own.id  # still there


def test_a_hidden_reply_answers_no_one_until_shown_again(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    reply = factories.make_post(thread, author=factories.make_user(), body="Reboot it.")
    answered = _stamps(thread.id)
    post_tools.hide_post(mod, db.session.get(Post, reply.id), "Wrong thread.")
    assert _stamps(thread.id) == (None, None) and _unanswered(mod, thread.id)
    post_tools.unhide_post(mod, db.session.get(Post, reply.id), "Right thread after all.")
    assert _stamps(thread.id) == answered


def test_a_reply_hidden_by_reports_leaves_its_thread_unanswered(app):
    post, _item = reported_post(reporters=3)
    db.session.refresh(post)
    assert post.is_hidden
    assert _stamps(post.thread_id) == (None, None)


def test_a_reply_edited_into_review_by_a_watched_word_is_no_answer(board, mod):
    watched_words.add(factories.make_user(role="admin"), "casino", "review")
    thread = factories.make_thread(board, author=factories.make_established_user())
    helper = factories.make_established_user()
    reply = factories.make_post(thread, author=helper, body="Try a fan.")
    assert _stamps(thread.id)[0] is not None
    posting.edit_post(helper, db.session.get(Post, reply.id), "Try the casino.")
    assert db.session.get(Post, reply.id).is_hidden
    assert _stamps(thread.id) == (None, None)


def test_a_split_takes_the_answer_along(board, mod):
    asker = factories.make_established_user()
    thread = factories.make_thread(board, author=asker)
    reply = factories.make_post(thread, author=mod, body="A different question, really.")
    into = thread_merging.split_posts(mod, db.session.get(Thread, thread.id),
                                      thread_merging.SplitPlan(
                                          reason="Its own topic.", post_ids=(reply.id,),
                                          title="The other question", board=board))
    assert _stamps(thread.id) == (None, None)
    assert _unanswered(mod, thread.id)
    # The new thread is opened by the moved post itself: nothing answers it yet.
    assert _stamps(into.id) == (None, None)


def test_a_merge_answers_the_target_with_the_sources_replies(board, mod):
    asker = factories.make_established_user()
    target = factories.make_thread(board, author=asker, title="Fan noise")
    source = factories.make_thread(board, author=factories.make_established_user(),
                                   title="Fan noise again")
    reply = factories.make_post(source, author=mod, body="Clean the fan.")
    replied_at = db.session.get(Post, reply.id).created_at
    source_opening = db.session.get(Post, source.first_post_id)
    thread_merging.merge_threads(mod, db.session.get(Thread, source.id),
                                 db.session.get(Thread, target.id), "Same question.")
    # The source's opening post is someone else's question, not an answer by the team...
    first, team = _stamps(target.id)
    assert first == source_opening.created_at
    # ...and the moderator's reply is the team's.
    assert team == replied_at


def test_purging_a_spammers_only_reply_leaves_the_thread_unanswered(board, mod):
    thread = factories.make_thread(board, author=factories.make_established_user())
    spammer = factories.make_user()
    factories.make_post(thread, author=spammer, body="Cheap watches!")
    assert _stamps(thread.id)[0] is not None
    spammers.remove(mod, spammer, "Spam.")
    assert _stamps(thread.id) == (None, None)


def test_a_board_moderators_reply_is_the_teams(board):
    keeper = factories.make_board_moderator(factories.make_user(), board)
    thread = factories.make_thread(board, author=factories.make_established_user())
    member_reply = factories.make_post(thread, author=factories.make_user(), body="Hm.")
    keeper_reply = factories.make_post(thread, author=keeper, body="Look here.")
    kept_at = db.session.get(Post, keeper_reply.id).created_at
    posting.delete_post(member_reply.author, db.session.get(Post, member_reply.id))
    assert _stamps(thread.id) == (kept_at, kept_at)
    # Elsewhere the same member is no one's team.
    other = factories.make_thread(factories.make_board(), author=factories.make_user())
    factories.make_post(other, author=keeper, body="Me again.")
    response_stamps.restamp(other.id)
    db.session.commit()
    assert _stamps(other.id)[1] is None


def test_restamping_nothing_changes_nothing(board, count_queries):
    with count_queries() as queries:
        response_stamps.restamp()
        response_stamps.restamp(None)
    assert queries == []
