"""Expert Q&A pages: questions and votes, answers, experts, moderating, the summary."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...policy import policy
from ...services.community import event_listing, expert_answers, expert_qa
from ...web import current_actor, viewer_tz
from ..form_errors import require_valid
from . import bp
from .forms import ActionForm, AnswerForm, ExpertForm, MergeForm, QuestionForm, ReasonForm


def _back(event, anchor: str | None = None):
    return redirect(url_for("engagement.questions", event_id=event.id, _anchor=anchor))


@bp.get("/events/<int:event_id>/questions")
def questions(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    expert_qa.require_qa(event)
    now = viewer.clock
    actor = viewer.user if viewer.is_member else None
    may_moderate = bool(viewer.can_moderate_event(event))
    return render_template(
        "engagement/questions.html", event=event, board=event.board,
        questions=expert_qa.questions(event, with_hidden=may_moderate),
        experts=expert_qa.experts(event), voted=expert_qa.my_votes(actor, event),
        is_expert=expert_qa.is_expert(actor, event), may_moderate=may_moderate,
        form=QuestionForm(), answer_form=AnswerForm(), expert_form=ExpertForm(),
        action=ActionForm(), open_for_questions=not event.is_over(now),
        started=event.has_started(now), viewer_tz=viewer_tz(), now=now,
    )


@bp.post("/events/<int:event_id>/questions")
def ask(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    form = QuestionForm()
    require_valid(form)
    question = expert_qa.ask(current_actor(), event, form.body.data or "", now=viewer.clock)
    flash(_("Your question is in. Others can vote for it now."), "success")
    return _back(event, f"q{question.id}")


@bp.post("/events/<int:event_id>/questions/<int:question_id>/vote")
def vote_question(event_id: int, question_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require_valid(ActionForm())
    question = expert_qa.get_question(event, question_id)
    expert_qa.vote(current_actor(), event, question, now=viewer.clock)
    flash(_("Your vote is counted."), "success")
    return _back(event, f"q{question.id}")


@bp.post("/events/<int:event_id>/questions/<int:question_id>/answer")
def answer(event_id: int, question_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    form = AnswerForm()
    require_valid(form)
    question = expert_qa.get_question(event, question_id)
    expert_answers.answer(current_actor(), event, question, form.body.data or "",
                          now=viewer.clock)
    flash(_("Your answer is posted in the thread."), "success")
    return _back(event, f"q{question.id}")


@bp.get("/events/<int:event_id>/questions/<int:question_id>/moderate")
def moderate(event_id: int, question_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_moderate_event(event))
    expert_qa.require_qa(event)
    question = expert_qa.get_question(event, question_id)
    return _moderate_page(event, question, ReasonForm(), _merge_form(event, question), 200)


def _merge_form(event, question) -> MergeForm:
    form = MergeForm()
    form.target.choices = [
        (str(other.id), _("#%(num)d: %(text)s", num=other.id, text=other.body[:80]))
        for other in expert_qa.questions(event) if other.id != question.id]
    return form


def _moderate_page(event, question, hide_form, merge_form, status: int):
    return render_template("engagement/moderate_question.html", event=event,
                           board=event.board, question=question, hide_form=hide_form,
                           merge_form=merge_form), status


@bp.post("/events/<int:event_id>/questions/<int:question_id>/hide")
def hide(event_id: int, question_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_moderate_event(event))
    question = expert_qa.get_question(event, question_id)
    form = ReasonForm()
    require_valid(form)
    try:
        expert_answers.hide(current_actor(), event, question, form.reason.data or "",
                            now=viewer.clock)
    except Refused as refused:
        if refused.status != 400:
            raise
        form.reason.errors = [refused.reason]
        return _moderate_page(event, question, form, _merge_form(event, question), 400)
    flash(_("The question is hidden."), "success")
    return _back(event)


@bp.post("/events/<int:event_id>/questions/<int:question_id>/merge")
def merge(event_id: int, question_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_moderate_event(event))
    question = expert_qa.get_question(event, question_id)
    require_valid(MergeForm())
    target = expert_answers.merge(current_actor(), event, question,
                                  request.form.get("target", ""), now=viewer.clock)
    flash(_("The questions are merged; their votes count once for each member."), "success")
    return _back(event, f"q{target.id}")


@bp.post("/events/<int:event_id>/experts")
def add_expert(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_moderate_event(event))
    form = ExpertForm()
    require_valid(form)
    expert = expert_qa.add_expert(current_actor(), event, form.username.data or "",
                                  now=viewer.clock)
    flash(_("%(name)s is an expert of this Q&A now.", name=expert.user.username), "success")
    return _back(event, "experts")


@bp.post("/events/<int:event_id>/experts/<int:user_id>/remove")
def remove_expert(event_id: int, user_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_moderate_event(event))
    require_valid(ActionForm())
    expert_qa.remove_expert(current_actor(), event, user_id, now=viewer.clock)
    flash(_("The expert is removed from this Q&A."), "success")
    return _back(event, "experts")


@bp.get("/events/<int:event_id>/summary")
def summary(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    expert_qa.require_qa(event)
    answered = expert_qa.summary(event)
    # An answer is a post: shown only to whoever may read it where it is now (its thread may
    # have been deleted or moved to a board this reader can't see since).
    readable = {question.id for question in answered
                if question.answer_post is not None
                and viewer.can_view_thread(question.answer_post.thread)
                and viewer.can_view_post(question.answer_post)}
    return render_template("engagement/summary.html", event=event, board=event.board,
                           answered=answered, readable=readable, viewer_tz=viewer_tz(),
                           now=viewer.clock)
