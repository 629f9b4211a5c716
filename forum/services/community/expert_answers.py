"""An expert Q&A's session: experts answer, moderators hide off-topic questions and merge
duplicates.

An answer is a reply in the event's thread that quotes and links its question; the question
keeps the reply's id (set by a conditional UPDATE, so two experts answering at once give one
answer). A merge moves the duplicate's votes to the question kept, leaving out members who
voted for both and the kept question's author, then recounts the kept question from its vote
rows: the count is never a sum that could count a member twice. The two question rows are
locked lowest id first, so merges and votes never deadlock.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, insert, literal, select, update

from ...database import commit
from ...errors import Conflict, InvalidField, Refused, require
from ...extensions import db
from ...models import Event, EventQuestion, QuestionVote, Thread, User, utcnow
from ...policy import Policy
from .. import audit, text
from ..content import posting
from .challenges import md_escape
from .expert_qa import get_question, is_expert, require_qa


def _answer_post(event: Event, question: EventQuestion, body: str) -> str:
    quoted = "\n".join(f"> {line}" if line else ">"
                       for line in md_escape(question.body).splitlines())
    head = _("**Answer to [question #%(num)d](%(url)s) by @%(name)s:**", num=question.id,
             url=f"{event.url}/questions#q{question.id}", name=question.author.username)
    return f"{head}\n\n{quoted}\n\n{body}"


def answer(actor: User, event: Event, question: EventQuestion, body: str,
           now: datetime | None = None) -> EventQuestion:
    """An expert answers a question: a reply in the thread that links the question, which is
    then marked answered.

    Refuses: not an expert of this Q&A (403); before the session starts (409); a hidden or
    merged question (409); an empty answer (400); as ``posting.reply_within`` (a locked
    thread…); a question answered already, also by two experts at once (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_take_part(event))
    require_qa(event)
    if not is_expert(actor, event):
        raise Refused(_("Only the experts of this Q&A answer its questions."), status=403)
    if not event.has_started(now):
        raise Conflict(_("Questions are answered once the session has started."))
    if not question.is_open:
        raise Conflict(_("This question was hidden or merged into another."))
    body = text.checked(body, posting.BODY_MAX, missing=_("Write your answer."),
                        too_long=_("Answers are too long."))
    thread = db.session.get(Thread, event.thread_id) if event.thread_id else None
    if thread is None or thread.is_deleted:
        raise Conflict(_("This Q&A has no thread to answer in."))
    try:
        post = posting.reply_within(actor, thread, _answer_post(event, question, body), now,
                                    paced=False)
        done = db.session.execute(
            update(EventQuestion)
            .where(EventQuestion.id == question.id, EventQuestion.answer_post_id.is_(None),
                   EventQuestion.hidden_at.is_(None), EventQuestion.merged_into_id.is_(None))
            .values(answer_post_id=post.id, answered_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            raise Conflict(_("This question was answered a moment ago."))
    except BaseException:
        db.session.rollback()
        raise
    commit()
    db.session.refresh(question)
    return question


def hide(actor: User, event: Event, question: EventQuestion, reason: str,
         now: datetime | None = None) -> None:
    """Hide an off-topic question, with a reason. Logged.

    Refuses: as ``Policy.can_moderate_event``; an empty or oversized reason (400); a question
    hidden already (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_event(event))
    require_qa(event)
    reason = " ".join(text.clean_reason(reason, _("Please give a reason for hiding the "
                                                  "question.")).split())
    done = db.session.execute(
        update(EventQuestion).where(EventQuestion.id == question.id,
                                    EventQuestion.hidden_at.is_(None))
        .values(hidden_at=now, hidden_by_id=actor.id, hide_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        raise Conflict(_("This question is already hidden."))
    audit.record(actor, "question.hide", event, reason=reason,
                 after={"question": question.id, "author": question.author_id}, now=now)
    commit()


def _lock(*question_ids: int) -> None:
    """Take the rows' write locks lowest id first (a no-op UPDATE): every writer of two
    question rows takes them in this order."""
    for question_id in sorted(question_ids):
        db.session.execute(update(EventQuestion).where(EventQuestion.id == question_id)
                           .values(vote_count=EventQuestion.vote_count)
                           .execution_options(synchronize_session=False))


def merge(actor: User, event: Event, duplicate: EventQuestion, target_raw: str,
          now: datetime | None = None) -> EventQuestion:
    """Merge a duplicate into the question kept: the duplicate's voters (and its author) count
    for the kept question unless they voted for it already or asked it. Logged.

    Refuses: as ``Policy.can_moderate_event``; a target that isn't a number or another open
    question of this Q&A (400); a duplicate merged or hidden already, or answered (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_event(event))
    require_qa(event)
    raw = (target_raw or "").strip().lstrip("#")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise InvalidField("target", _("Choose the question to merge this one into."))
    target = get_question(event, int(raw))
    if target.id == duplicate.id:
        raise InvalidField("target", _("A question can't be merged into itself."))
    _lock(duplicate.id, target.id)
    db.session.refresh(duplicate)
    db.session.refresh(target)
    if not duplicate.is_open or duplicate.is_answered:
        db.session.rollback()
        raise Conflict(_("This question was hidden, merged or answered already."))
    if not target.is_open:
        db.session.rollback()
        raise InvalidField("target", _("The question to keep must be open, not hidden or "
                                       "merged."))
    already = select(QuestionVote.user_id).where(QuestionVote.question_id == target.id)
    movers = (select(literal(target.id), QuestionVote.user_id, QuestionVote.created_at)
              .where(QuestionVote.question_id == duplicate.id,
                     QuestionVote.user_id != target.author_id,
                     QuestionVote.user_id.not_in(already)))
    db.session.execute(insert(QuestionVote).from_select(
        ["question_id", "user_id", "created_at"], movers))
    if duplicate.author_id != target.author_id and db.session.scalar(
            select(QuestionVote.id).where(QuestionVote.question_id == target.id,
                                          QuestionVote.user_id == duplicate.author_id)) is None:
        # Asking the same question is a vote for it.
        db.session.add(QuestionVote(question_id=target.id, user_id=duplicate.author_id,
                                    created_at=duplicate.created_at))
        db.session.flush()
    before = target.vote_count
    db.session.execute(
        update(EventQuestion).where(EventQuestion.id == target.id)
        .values(vote_count=select(func.count(QuestionVote.id))
                .where(QuestionVote.question_id == target.id).scalar_subquery())
        .execution_options(synchronize_session=False))
    db.session.execute(
        update(EventQuestion).where(EventQuestion.id == duplicate.id)
        .values(merged_into_id=target.id).execution_options(synchronize_session=False))
    db.session.refresh(target)
    audit.record(actor, "question.merge", event,
                 before={"question": duplicate.id, "votes": before},
                 after={"into": target.id, "votes": target.vote_count}, now=now)
    commit()
    return target
