"""Expert Q&As: an event of the "qa" kind with experts, questions and their votes.

Members ask until the session ends and up-vote others' questions (one vote each: a unique
(question, member) index, and ``vote_count`` raised in SQL with ``hidden_at IS NULL AND
merged_into_id IS NULL`` in its WHERE, so a vote never lands on a question hidden or merged
a moment before). Experts answer from the start of the session (``expert_answers``), and
moderators hide and merge questions (``expert_answers`` too).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...common import usernames
from ...database import commit
from ...errors import Conflict, InvalidField, NotFound, Refused, require
from ...extensions import db
from ...models import (
    Event,
    EventExpert,
    EventKind,
    EventQuestion,
    QuestionVote,
    User,
    utcnow,
)
from ...policy import Policy
from .. import audit, data_export, text
from ..content import watched_words

QUESTION_MAX = 1000
QUESTIONS_PER_MEMBER = 10


def require_qa(event: Event) -> None:
    if event.kind != EventKind.QA:
        raise NotFound(_("This event isn't an expert Q&A."))


# -- experts ------------------------------------------------------------------------------------
def experts(event: Event) -> list[EventExpert]:
    return list(db.session.scalars(
        select(EventExpert).where(EventExpert.event_id == event.id)
        .options(joinedload(EventExpert.user)).order_by(EventExpert.added_at, EventExpert.id)))


def is_expert(user: User | None, event: Event) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(EventExpert.id).where(
        EventExpert.event_id == event.id, EventExpert.user_id == user.id)) is not None


def add_expert(actor: User, event: Event, username: str,
               now: datetime | None = None) -> EventExpert:
    """Name a member an expert of the Q&A. Logged.

    Refuses: as ``Policy.can_moderate_event``; no Q&A (404); an unknown username (400); a
    member who may not read the event's board (400); one already an expert (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_event(event))
    require_qa(event)
    name = (username or "").strip().lstrip("@")
    user = db.session.scalar(select(User).where(User.username_key == usernames.key(name))) \
        if name and len(name) <= 64 else None
    if user is None:
        raise InvalidField("username", _("There is no member called “%(name)s”.",
                                         name=name[:64]))
    if not Policy(user, now).can_view_event(event):
        raise InvalidField("username", _("%(name)s can't read this event's board.",
                                         name=user.username))
    try:
        expert = EventExpert(event_id=event.id, user_id=user.id, added_by_id=actor.id,
                             added_at=now)
        db.session.add(expert)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("%(name)s is already an expert of this Q&A.",
                         name=user.username)) from None
    audit.record(actor, "event.expert_add", event, after={"expert": user.username}, now=now)
    commit()
    return expert


def remove_expert(actor: User, event: Event, user_id: int, now: datetime | None = None) -> None:
    """Refuses: as ``Policy.can_moderate_event``; no Q&A or not an expert (404)."""
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_event(event))
    require_qa(event)
    user = db.session.get(User, user_id)
    gone = db.session.execute(delete(EventExpert).where(
        EventExpert.event_id == event.id, EventExpert.user_id == user_id)).rowcount
    if not gone or user is None:
        db.session.rollback()
        raise NotFound(_("That member isn't an expert of this Q&A."))
    audit.record(actor, "event.expert_remove", event, before={"expert": user.username},
                 now=now)
    commit()


# -- questions ----------------------------------------------------------------------------------
def _require_asking_open(actor: User, event: Event, now: datetime) -> None:
    if event.is_over(now):
        raise Conflict(_("This Q&A session is over; it takes no more questions or votes."))


def ask(actor: User, event: Event, body: str, now: datetime | None = None) -> EventQuestion:
    """Submit a question for the experts.

    Refuses: as ``Policy.can_take_part``; no Q&A (404); after the session (409); an empty or
    oversized question (400); a blocked watched word (400); more than ten questions of one
    member (429).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_take_part(event))
    require_qa(event)
    _require_asking_open(actor, event, now)
    body = text.checked(body, QUESTION_MAX, missing=_("Write your question."),
                        too_long=_("Questions can be at most %(max)s characters.",
                                   max=QUESTION_MAX))
    # The forum's watched words hold here as in posts: a blocked word refuses the question,
    # a replaced one is replaced.
    body = watched_words.screen(None, body).body
    asked = db.session.scalar(
        select(func.count(EventQuestion.id)).where(EventQuestion.event_id == event.id,
                                                      EventQuestion.author_id == actor.id))
    if asked >= QUESTIONS_PER_MEMBER:
        raise Refused(_("You can ask at most %(num)d questions in one Q&A.",
                        num=QUESTIONS_PER_MEMBER), status=429)
    question = EventQuestion(event_id=event.id, author_id=actor.id, body=body, created_at=now,
                             vote_count=0)
    db.session.add(question)
    commit()
    return question


def get_question(event: Event, question_id: int) -> EventQuestion:
    question = db.session.get(EventQuestion, question_id)
    if question is None or question.event_id != event.id:
        raise NotFound(_("That question doesn't exist."))
    return question


def vote(actor: User, event: Event, question: EventQuestion,
         now: datetime | None = None) -> None:
    """Up-vote a question.

    Refuses: as ``Policy.can_take_part``; after the session (409); one's own question (403);
    a hidden or merged question (409); a second vote, also two at once (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_take_part(event))
    require_qa(event)
    _require_asking_open(actor, event, now)
    if question.author_id == actor.id:
        raise Refused(_("You can't vote for your own question."), status=403)
    raised = db.session.execute(
        update(EventQuestion)
        .where(EventQuestion.id == question.id, EventQuestion.hidden_at.is_(None),
               EventQuestion.merged_into_id.is_(None))
        .values(vote_count=EventQuestion.vote_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not raised:
        db.session.rollback()
        raise Conflict(_("This question was hidden or merged into another; it takes no votes."))
    try:
        db.session.add(QuestionVote(question_id=question.id, user_id=actor.id, created_at=now))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You've already voted for this question.")) from None
    commit()


def my_votes(actor: User | None, event: Event) -> set[int]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    return set(db.session.scalars(
        select(QuestionVote.question_id).join(EventQuestion,
                                              EventQuestion.id == QuestionVote.question_id)
        .where(EventQuestion.event_id == event.id, QuestionVote.user_id == actor.id)))


def questions(event: Event, *, with_hidden: bool = False) -> list[EventQuestion]:
    """The questions by votes (then by age), with their authors and answers: one query.
    Merged duplicates are left out; hidden ones only for moderators."""
    query = (select(EventQuestion).where(EventQuestion.event_id == event.id,
                                         EventQuestion.merged_into_id.is_(None))
             .options(joinedload(EventQuestion.author), joinedload(EventQuestion.answer_post))
             .order_by(EventQuestion.vote_count.desc(), EventQuestion.created_at,
                       EventQuestion.id))
    if not with_hidden:
        query = query.where(EventQuestion.hidden_at.is_(None))
    return list(db.session.scalars(query))


def summary(event: Event) -> list[EventQuestion]:
    """The answered questions in the order they were answered: the session's record."""
    return list(db.session.scalars(
        select(EventQuestion).where(EventQuestion.event_id == event.id,
                                    EventQuestion.answer_post_id.is_not(None),
                                    EventQuestion.hidden_at.is_(None),
                                    EventQuestion.merged_into_id.is_(None))
        .options(joinedload(EventQuestion.author), joinedload(EventQuestion.answer_post))
        .order_by(EventQuestion.answered_at, EventQuestion.id)))


@data_export.section("questions")
def export_questions(user: User) -> list[dict]:
    """The questions the member asked experts, and which they voted for: one query."""
    voted = (select(QuestionVote.id).where(QuestionVote.question_id == EventQuestion.id,
                                           QuestionVote.user_id == user.id).exists())
    rows = db.session.execute(
        select(EventQuestion, voted.label("voted"))
        .where((EventQuestion.author_id == user.id) | voted).order_by(EventQuestion.id))
    return [{"event_id": question.event_id, "question": question.body,
             "asked_by_you": question.author_id == user.id, "voted_by_you": bool(did_vote),
             "asked_at": data_export.iso(question.created_at), "votes": question.vote_count,
             "answered_at": data_export.iso(question.answered_at)}
            for question, did_vote in rows]
