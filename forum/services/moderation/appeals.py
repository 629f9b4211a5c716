"""Appeals: a sanctioned member asks the moderators once, in writing, to reconsider a sanction.

A timed-out member appeals from their account; a suspended or banned one cannot log in, so the
login refusal offers the form with a signed, short-lived token that proves the password was
right (``login_token``). One appeal per sanction: the unique ``appeals.sanction_id`` decides when
two arrive at once. A moderator decides (upheld, reduced to an earlier end, lifted) with a
message to the member; the decision is logged and the member told. Whoever issued the sanction
never decides its appeal (``Policy.can_decide_appeal``).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...common.numfmt import number
from ...database import commit
from ...errors import Conflict, NotFound, Refused, require
from ...extensions import db
from ...models import (
    Appeal,
    AppealStatus,
    NotificationKind,
    Sanction,
    SanctionKind,
    User,
    utcnow,
)
from ...models.moderation import POSTING_BLOCKED_BY
from ...policy import Policy
from .. import audit, notifications, text
from ..notification_texts import moment

BODY_MAX = 2000
MESSAGE_MAX = 2000
# The form on the login refusal page stays usable this long after the password was given.
LOGIN_TOKEN_SECONDS = 30 * 60
DECIDED_SHOWN = 50
OUTCOMES = (AppealStatus.UPHELD, AppealStatus.REDUCED, AppealStatus.LIFTED)
ACTIONS = {AppealStatus.UPHELD: "appeal.uphold", AppealStatus.REDUCED: "appeal.reduce",
           AppealStatus.LIFTED: "appeal.lift"}


def _clean_body(body: str | None) -> str:
    return text.checked(body, BODY_MAX, missing=_("Please write your appeal."),
                        too_long=_("An appeal can be at most %(max)s characters.",
                                   max=number(BODY_MAX)))


# -- the member's side ---------------------------------------------------------------------------
def appeal_for(sanction: Sanction) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.sanction_id == sanction.id))


def own_sanctions(user: User, now: datetime | None = None) -> list[tuple[Sanction, Appeal | None]]:
    """The member's sanctions that can be appealed or were: those in force (timeouts,
    suspensions, bans) and any with an appeal, newest first, each with its appeal. One query."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Sanction, Appeal)
        .outerjoin(Appeal, Appeal.sanction_id == Sanction.id)
        .where(Sanction.user_id == user.id, Sanction.kind != SanctionKind.WARNING)
        .order_by(Sanction.starts_at.desc(), Sanction.id.desc())
    ).all()
    return [(sanction, appeal) for sanction, appeal in rows
            if appeal is not None or sanction.is_active(now)]


def own_sanction(user: User, sanction_id: int) -> Sanction:
    """The member's own sanction. Refuses: another member's or an unknown one (404)."""
    sanction = db.session.get(Sanction, sanction_id)
    if sanction is None or sanction.user_id != user.id:
        raise NotFound(_("That sanction doesn't exist."))
    return sanction


def submit(user: User, sanction: Sanction, body: str, now: datetime | None = None) -> Appeal:
    """The member's one appeal against ``sanction``.

    Refuses: another member's sanction (404), a warning (400), a sanction no longer in force
    (409), an empty or too long text (400), a second appeal (409, also when two are sent at
    the same moment).
    """
    now = now or utcnow()
    if sanction.user_id != user.id:
        raise NotFound(_("That sanction doesn't exist."))
    if sanction.kind not in POSTING_BLOCKED_BY:
        raise Refused(_("A warning can't be appealed: it restricts nothing."), status=400)
    if not sanction.is_active(now):
        raise Conflict(_("This sanction has already ended or been lifted."))
    body = _clean_body(body)
    if appeal_for(sanction) is not None:
        raise Conflict(_("You have already appealed this sanction."))
    appeal = Appeal(sanction_id=sanction.id, user_id=user.id, body=body, created_at=now,
                    status=AppealStatus.OPEN)
    db.session.add(appeal)
    try:
        commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You have already appealed this sanction.")) from None
    return appeal


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="agora-appeal-login")


def login_token(user: User, sanction: Sanction) -> str:
    """Given with the login refusal, once the password was right: lets the member appeal
    ``sanction`` without a login. Names the member's password stamp, so it is spent by a
    password change."""
    return _serializer().dumps({"u": user.id, "s": user.password_stamp, "x": sanction.id})


def read_login_token(token: str | None) -> tuple[User, Sanction]:
    """The member and sanction a refusal page's token names.

    Refuses: an expired token (410), a missing, forged or spent one (400)."""
    try:
        data = _serializer().loads(token or "", max_age=LOGIN_TOKEN_SECONDS)
        user = db.session.get(User, int(data["u"]))
        sanction = db.session.get(Sanction, int(data["x"]))
    except SignatureExpired:
        raise Refused(_("This appeal form has expired. Log in again to get a new one."),
                      status=410) from None
    except (BadSignature, KeyError, TypeError, ValueError):
        user = sanction = None
        data = {}
    if (user is None or sanction is None or sanction.user_id != user.id
            or data.get("s") != user.password_stamp):
        raise Refused(_("This appeal form isn't valid. Log in again to get a new one."),
                      status=400)
    return user, sanction


# -- the moderators' side ----------------------------------------------------------------------
def _listed():
    return select(Appeal).options(
        joinedload(Appeal.sanction).joinedload(Sanction.issuer),
        joinedload(Appeal.user), joinedload(Appeal.decided_by),
    )


def appeal_lists(viewer: Policy) -> tuple[list[Appeal], list[Appeal]]:
    """Open appeals (oldest first), then the latest decided ones: two queries.

    Refuses: anyone but moderators and administrators."""
    require(viewer.can_handle_appeals())
    open_ = list(db.session.scalars(
        _listed().where(Appeal.status == AppealStatus.OPEN).order_by(Appeal.created_at,
                                                                      Appeal.id)))
    decided = list(db.session.scalars(
        _listed().where(Appeal.status != AppealStatus.OPEN)
        .order_by(Appeal.decided_at.desc(), Appeal.id.desc()).limit(DECIDED_SHOWN)))
    return open_, decided


def get_appeal(viewer: Policy, appeal_id: int) -> Appeal:
    """Refuses: anyone but moderators (403), an unknown appeal (404)."""
    require(viewer.can_handle_appeals())
    appeal = db.session.scalar(_listed().where(Appeal.id == appeal_id))
    if appeal is None:
        raise NotFound(_("That appeal doesn't exist."))
    return appeal


def _checked_end(sanction: Sanction, ends_at: datetime | None, now: datetime) -> datetime:
    if ends_at is None:
        raise Refused(_("Give the new end of the sanction."), status=400)
    if ends_at <= now:
        raise Refused(_("The new end must be in the future; to end it now, lift it."),
                      status=400)
    if sanction.ends_at is not None and ends_at >= sanction.ends_at:
        raise Refused(_("The new end must come before the current one."), status=400)
    return ends_at


def decide(actor: User, appeal: Appeal, outcome: AppealStatus | str, message: str, *,
           ends_at: datetime | None = None, now: datetime | None = None) -> Appeal:
    """Decide an open appeal: uphold the sanction, reduce it to end at ``ends_at``, or lift it.
    Logged with the message, which the member is told.

    Refuses: anyone but moderators, the sanction's issuer, rank rules (403); an unknown outcome,
    a missing or long message, a new end not between now and the current end (400); an appeal
    already decided, a sanction already over when reducing or lifting (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_decide_appeal(appeal))
    try:
        outcome = AppealStatus(outcome)
    except ValueError:
        outcome = None
    if outcome not in OUTCOMES:
        raise Refused(_("Choose whether to uphold, reduce or lift the sanction."), status=400)
    message = text.checked(message, MESSAGE_MAX, missing=_("Please write a message to the "
                                                           "member."),
                           too_long=_("The message can be at most %(max)s characters.",
                                      max=number(MESSAGE_MAX)))
    sanction = appeal.sanction
    before_end = sanction.ends_at
    if outcome == AppealStatus.REDUCED:
        ends_at = _checked_end(sanction, ends_at, now)
    decided = db.session.execute(
        update(Appeal).where(Appeal.id == appeal.id, Appeal.status == AppealStatus.OPEN)
        .values(status=outcome, decided_by_id=actor.id, decided_at=now,
                decision_message=message)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not decided:
        db.session.rollback()
        raise Conflict(_("This appeal has already been decided."))
    after: dict = {"state": outcome.value}
    if outcome != AppealStatus.UPHELD:
        values = ({"ends_at": ends_at} if outcome == AppealStatus.REDUCED else
                  {"lifted_at": now, "lifted_by_id": actor.id,
                   "lift_reason": message[:text.REASON_MAX]})
        changed = db.session.execute(
            update(Sanction)
            .where(Sanction.id == sanction.id, Sanction.lifted_at.is_(None),
                   or_(Sanction.ends_at.is_(None), Sanction.ends_at > now))
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            db.session.rollback()
            raise Conflict(_("This sanction has already ended or been lifted."))
        after.update({"ends_at": ends_at.isoformat()} if outcome == AppealStatus.REDUCED
                     else {"lifted_at": now.isoformat()})
    audit.record(actor, ACTIONS[outcome], sanction, message,
                 before={"ends_at": before_end.isoformat() if before_end else None},
                 after=after, now=now)
    notifications.notify(appeal.user, NotificationKind.SANCTION, f"appeal.{outcome.value}",
                         {"ends_at": moment(ends_at) if ends_at else None, "message": message},
                         "/account/sanctions", now=now)
    commit()
    db.session.expire(appeal)
    db.session.expire(sanction)
    return appeal
