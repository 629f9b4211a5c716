"""Expert Q&As: experts, questions and their votes, answers, hiding and merging."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Refused
from forum.extensions import db
from forum.models import EventExpert, EventQuestion, ModAction, Post, QuestionVote
from forum.services.community import expert_answers, expert_qa
from tests import factories
from tests.services.engagement_kit import T0, make_qa, voter
from tests.services.event_kit import make_event

STARTS = T0 + timedelta(days=7)
DURING = STARTS + timedelta(minutes=30)
ENDED = STARTS + timedelta(hours=2)


@pytest.fixture
def board(app):
    return factories.make_board(slug="qa", allows_member_events=True)


@pytest.fixture
def qa(board, moderator):
    return make_qa(board, moderator)


def _status(call) -> int:
    with pytest.raises(Refused) as caught:
        call()
    return caught.value.status


def _ask(event, user=None, body="How do you pick tonewood?", now=T0):
    return expert_qa.ask(user or voter(), event, body, now=now)


# -- experts ------------------------------------------------------------------------------------
def test_moderators_name_and_remove_experts_and_the_log_keeps_it(qa, moderator, member):
    event, expert = qa
    assert [row.user_id for row in expert_qa.experts(event)] == [expert.id]
    assert _status(lambda: expert_qa.add_expert(member, event, "someone", now=T0)) == 403
    assert _status(lambda: expert_qa.add_expert(moderator, event, "nobody-here", now=T0)) == 400
    assert _status(lambda: expert_qa.add_expert(moderator, event, expert.username,
                                                now=T0)) == 409
    expert_qa.remove_expert(moderator, event, expert.id, now=T0)
    assert db.session.scalar(select(func.count(EventExpert.id))) == 0
    assert _status(lambda: expert_qa.remove_expert(moderator, event, expert.id, now=T0)) == 404
    actions = list(db.session.scalars(select(ModAction.action).where(
        ModAction.action.like("event.expert%")).order_by(ModAction.id)))
    assert actions == ["event.expert_add", "event.expert_remove"]


def test_experts_belong_to_expert_qas_only(board, moderator):
    meetup = make_event(moderator, board)
    assert _status(lambda: expert_qa.add_expert(moderator, meetup, moderator.username,
                                                now=T0)) == 404


# -- questions and votes ------------------------------------------------------------------------
def test_questions_until_the_session_ends(qa):
    event, _ = qa
    _ask(event, now=DURING)
    assert _status(lambda: _ask(event, now=ENDED)) == 409
    assert _status(lambda: _ask(event, body="  ")) == 400
    assert _status(lambda: _ask(event, body="x" * 1001)) == 400
    assert db.session.scalar(select(func.count(EventQuestion.id))) == 1


def test_a_member_asks_at_most_ten_questions(qa):
    event, _ = qa
    asker = voter()
    for n in range(10):
        _ask(event, asker, body=f"Question {n}")
    assert _status(lambda: _ask(event, asker, body="One more")) == 429


def test_questions_answer_to_the_watched_words(qa):
    from forum.services.content import watched_words

    event, _expert = qa
    admin = factories.make_user(role="admin")
    watched_words.add(admin, "casino", "block")
    watched_words.add(admin, "darn", "replace", replacement="d***")
    with pytest.raises(Refused) as refused:
        expert_qa.ask(voter(), event, "Which casino takes ESP32s?", now=T0)
    assert refused.value.status == 400
    assert db.session.scalar(select(func.count(EventQuestion.id))) == 0
    question = expert_qa.ask(voter(), event, "Why does the darn LDO leak?", now=T0)
    assert question.body == "Why does the d*** LDO leak?"


def test_one_vote_per_member_not_for_ones_own_and_not_after_the_end(qa):
    event, _ = qa
    asker, fan = voter(), voter()
    question = _ask(event, asker)
    assert _status(lambda: expert_qa.vote(asker, event, question, now=T0)) == 403
    expert_qa.vote(fan, event, question, now=T0)
    assert _status(lambda: expert_qa.vote(fan, event, question, now=T0)) == 409
    assert _status(lambda: expert_qa.vote(voter(), event, question, now=ENDED)) == 409
    db.session.refresh(question)
    assert question.vote_count == 1
    assert expert_qa.my_votes(fan, event) == {question.id}


def test_questions_are_listed_by_votes(qa):
    event, _ = qa
    low, high = _ask(event, body="Low"), _ask(event, body="High")
    expert_qa.vote(voter(), event, high, now=T0)
    assert [q.body for q in expert_qa.questions(event)] == ["High", "Low"]
    assert low.vote_count == 0


# -- answers ------------------------------------------------------------------------------------
def test_experts_answer_during_the_session_with_a_post_linking_the_question(qa, member):
    event, expert = qa
    question = _ask(event)
    assert _status(lambda: expert_answers.answer(member, event, question, "Guess",
                                                 now=DURING)) == 403
    assert _status(lambda: expert_answers.answer(expert, event, question, "Early",
                                                 now=T0)) == 409
    assert _status(lambda: expert_answers.answer(expert, event, question, " ",
                                                 now=DURING)) == 400
    expert_answers.answer(expert, event, question, "By tapping it.", now=DURING)
    post = db.session.get(Post, question.answer_post_id)
    assert post.thread_id == event.thread_id and post.author_id == expert.id
    assert f"{event.url}/questions#q{question.id}" in post.body_html
    assert "By tapping it." in post.body_html and "tonewood" in post.body_html
    assert question.is_answered and question.answered_at == DURING
    assert _status(lambda: expert_answers.answer(expert, event, question, "Again",
                                                 now=DURING)) == 409


def test_the_summary_lists_answered_questions_in_the_order_answered(qa):
    event, expert = qa
    first, second, _open = _ask(event, body="First"), _ask(event, body="Second"), _ask(event)
    expert_answers.answer(expert, event, second, "Answer B", now=DURING)
    expert_answers.answer(expert, event, first, "Answer A", now=DURING + timedelta(minutes=5))
    assert [q.body for q in expert_qa.summary(event)] == ["Second", "First"]


# -- moderating ---------------------------------------------------------------------------------
def test_hiding_is_logged_and_takes_the_question_off_the_list(qa, moderator, member):
    event, _ = qa
    question = _ask(event)
    assert _status(lambda: expert_answers.hide(member, event, question, "No", now=T0)) == 403
    assert _status(lambda: expert_answers.hide(moderator, event, question, "", now=T0)) == 400
    expert_answers.hide(moderator, event, question, "Off-topic", now=T0)
    assert expert_qa.questions(event) == []
    assert [q.id for q in expert_qa.questions(event, with_hidden=True)] == [question.id]
    assert _status(lambda: expert_qa.vote(voter(), event, question, now=T0)) == 409
    log = db.session.scalar(select(ModAction).where(ModAction.action == "question.hide"))
    assert log.reason == "Off-topic" and log.after["question"] == question.id
    assert _status(lambda: expert_answers.hide(moderator, event, question, "Again",
                                               now=T0)) == 409


def test_merging_combines_votes_without_counting_anyone_twice(qa, moderator):
    event, _ = qa
    kept_author, dup_author = voter(), voter()
    kept = _ask(event, kept_author, body="How to choose wood?")
    duplicate = _ask(event, dup_author, body="Which wood is best?")
    both, only_dup, only_kept = voter(), voter(), voter()
    for user in (both, only_kept):
        expert_qa.vote(user, event, kept, now=T0)
    for user in (both, only_dup, kept_author):
        expert_qa.vote(user, event, duplicate, now=T0)
    target = expert_answers.merge(moderator, event, duplicate, str(kept.id), now=T0)
    # both, only_kept, only_dup and the duplicate's author; not the kept question's own author.
    voters = set(db.session.scalars(select(QuestionVote.user_id).where(
        QuestionVote.question_id == kept.id)))
    assert voters == {both.id, only_kept.id, only_dup.id, dup_author.id}
    assert target.vote_count == 4
    assert [q.id for q in expert_qa.questions(event)] == [kept.id]
    assert _status(lambda: expert_qa.vote(voter(), event, duplicate, now=T0)) == 409
    assert _status(lambda: expert_answers.merge(moderator, event, duplicate, str(kept.id),
                                                now=T0)) == 409
    log = db.session.scalar(select(ModAction).where(ModAction.action == "question.merge"))
    assert log.after == {"into": kept.id, "votes": 4}


@pytest.mark.parametrize("target", ["", "abc", "999999"])
def test_merging_into_nothing_is_refused(qa, moderator, target):
    event, _ = qa
    question = _ask(event)
    assert _status(lambda: expert_answers.merge(moderator, event, question, target,
                                                now=T0)) in (400, 404)
    assert _status(lambda: expert_answers.merge(moderator, event, question, str(question.id),
                                                now=T0)) == 400


def test_the_data_export_holds_questions_asked_and_voted_for(qa):
    from forum.services import data_export

    event, _ = qa
    asker, fan = voter(), voter()
    question = _ask(event, asker, body="Mine")
    _ask(event, body="Someone else's")
    expert_qa.vote(fan, event, question, now=T0)
    [asked] = data_export.export(asker)["questions"]
    assert asked["question"] == "Mine" and asked["asked_by_you"] and not asked["voted_by_you"]
    [voted] = data_export.export(fan)["questions"]
    assert voted["question"] == "Mine" and voted["voted_by_you"] and not voted["asked_by_you"]
