"""The report queue through the API: the list, and resolving an item with the actions of the
web form (``moderation.queue.resolve``), through the same service and the same checks."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...errors import InvalidField
from ...models import ReportItem, Scope
from ...policy import policy
from ...services.moderation import report_queue, resolution, summaries
from ...services.moderation.macros import PERIODS
from ...services.moderation.resolution import Action, ActionKind
from ...web import current_actor
from . import present, shapes
from .declare import operation

QUEUE_PER_PAGE = 25


def _item(item: ReportItem, reasons: list) -> dict:
    return {
        "id": item.id,
        "status": item.status,
        "target": item.target_kind,
        "post_id": item.post_id,
        "thread_id": item.thread_id,
        "board": item.thread.board.slug if item.thread is not None else None,
        "subject": present.member(item.subject),
        "report_count": item.report_count,
        "reasons": [{"reason": str(reason), "count": count} for reason, count in reasons],
        "first_reported_at": present.moment(item.first_reported_at),
        "claimed_by": present.member(item.claimed_by),
        "outcome": summaries.summary_text(item.resolution) if item.resolution else None,
    }


@operation("GET", "/reports", tag="reports", scope=Scope.MODERATE,
           summary=_l("The report queue"), query=shapes.QueueQuery, answer=shapes.Queue,
           errors=(400, 404),
           description=_l("The items the caller may handle: a board moderator's boards, "
                          "everything for moderators. Active items come most reported "
                          "first."))
def queue(query: dict):
    page = report_queue.queue_page(policy(), query["status"], page=query["page"],
                                   per_page=QUEUE_PER_PAGE)
    return {"items": [_item(item, page.reasons.get(item.id, [])) for item in page.items],
            "page": page.page, "pages": page.pages, "total": page.total}


def _actions(body: dict) -> list[Action]:
    """The web form's choices as the service's actions. Refuses (400, naming the field) what
    the form would: no board to move to, no timeout length."""
    reason = body["reason"]
    chosen = []
    for kind in body["actions"]:
        if kind == ActionKind.MOVE_THREAD.value:
            board = {candidate.slug: candidate for candidate
                     in report_queue.moderated_boards(policy())}.get(body["destination"] or "")
            if board is None:
                raise InvalidField("destination", _("Choose the board to move the thread to."))
            chosen.append(Action(kind, reason, board=board))
        elif kind == ActionKind.EDIT_POST.value:
            chosen.append(Action(kind, reason, body=body["body"] or ""))
        else:
            chosen.append(Action(kind, reason))
    sanction = body["sanction"]
    if sanction == ActionKind.TIMEOUT.value:
        if body["timeout"] not in PERIODS:
            raise InvalidField("timeout", _("Choose how long the timeout lasts."))
        chosen.append(Action(sanction, reason, duration=PERIODS[body["timeout"]][1],
                             message=body["message"]))
    elif sanction:
        chosen.append(Action(sanction, reason, until=body["until"], message=body["message"]))
    return chosen


@operation("POST", "/reports/<int:item_id>/resolve", tag="reports", scope=Scope.MODERATE,
           summary=_l("Resolve a report"), body=shapes.Resolve, answer=shapes.Resolved,
           errors=(400, 404, 409),
           description=_l("The actions of the report's page in one step, all or nothing: "
                          "`dismiss` alone, or any sensible mix of hiding, deleting, editing, "
                          "locking, moving and a sanction. Every action is logged with the "
                          "reason."))
def resolve(item_id: int, body: dict):
    viewer = policy()
    item = report_queue.get_item(viewer, item_id)
    outcome = resolution.resolve(current_actor(), item, _actions(body))
    reasons = report_queue.reason_counts([outcome.item.id]).get(outcome.item.id, [])
    return {"item": _item(outcome.item, reasons)}
