"""The moderation team's writing aids: private notes on members, and canned responses that
administrators keep and moderators start their messages from."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...common.numfmt import number
from ...database import commit
from ...errors import NotFound, require
from ...extensions import db
from ...models import CannedResponse, ModeratorNote, Thread, User, utcnow
from ...policy import Policy
from .. import audit, text
from . import macros

NOTE_MAX = 5000
TITLE_MAX = 100
BODY_MAX = 5000
PLACEHOLDER_RE = re.compile(r"\{(username|thread)\}")


def _note(value: str | None) -> str:
    return text.checked(value, NOTE_MAX, missing=_("The note can't be empty."),
                        too_long=_("The note can be at most %(max)s characters.",
                                   max=number(NOTE_MAX)))


def _title(value: str | None) -> str:
    return text.checked(value, TITLE_MAX, missing=_("The title can't be empty."),
                        too_long=_("The title can be at most %(max)s characters.",
                                   max=number(TITLE_MAX)))


def _body(value: str | None) -> str:
    return text.checked(value, BODY_MAX, missing=_("The text can't be empty."),
                        too_long=_("The text can be at most %(max)s characters.",
                                   max=number(BODY_MAX)))


# -- moderator notes ---------------------------------------------------------------------------
def add_note(actor: User, user: User, body: str, now: datetime | None = None) -> ModeratorNote:
    """A private note on ``user`` for the moderation team (``note.add``; the text stays out of
    the log).

    Refuses: anyone who may not read the member's record (``Policy.can_view_member_record``;
    403), an empty or long note (400).
    """
    now = now or utcnow()
    require(Policy(actor).can_view_member_record(user))
    note = ModeratorNote(user_id=user.id, author_id=actor.id, body=_note(body),
                         created_at=now)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "note.add", note, now=now)
    commit()
    return note


def notes_for(viewer: Policy, user: User) -> list[ModeratorNote]:
    """Newest first, with their authors. Refuses: anyone who may not read the member's
    record (``Policy.can_view_member_record``)."""
    require(viewer.can_view_member_record(user))
    return list(db.session.scalars(
        select(ModeratorNote).where(ModeratorNote.user_id == user.id)
        .options(joinedload(ModeratorNote.author))
        .order_by(ModeratorNote.created_at.desc(), ModeratorNote.id.desc())
    ))


# -- canned responses --------------------------------------------------------------------------
def fill(template: str, username: str, thread_title: str | None = None) -> str:
    """Put the member's name and the thread's title into ``{username}`` and ``{thread}``.

    One pass with fixed names only: braces mean nothing else (no ``str.format`` attribute
    access), and a title containing "{username}" stays as written. The result is plain text;
    templates escape it like any other.
    """
    values = {"username": username, "thread": thread_title or ""}
    return PLACEHOLDER_RE.sub(lambda match: values[match.group(1)], template)


def fill_for(response: CannedResponse, user: User, thread: Thread | None = None) -> str:
    return fill(response.body, user.username, thread.title if thread is not None else None)


def canned_responses(viewer: Policy) -> list[CannedResponse]:
    """By title. Refuses: anyone outside the moderation team."""
    require(viewer.can_view_member_notes())
    return list(db.session.scalars(
        select(CannedResponse).order_by(CannedResponse.title, CannedResponse.id)
    ))


def get_canned(viewer: Policy, response_id: int) -> CannedResponse:
    require(viewer.can_view_member_notes())
    response = db.session.get(CannedResponse, response_id)
    if response is None:
        raise NotFound(_("That canned response doesn't exist."))
    return response


def _logged(response: CannedResponse) -> dict:
    state = {"title": response.title, "body": response.body}
    if response.is_macro or response.reason:
        state.update(actions=list(response.actions or []), sanction=response.sanction,
                     timeout=response.timeout, reason=response.reason)
    return state


def _set_preset(response: CannedResponse, preset: macros.Preset) -> None:
    response.actions = list(preset.actions) or None
    response.sanction = preset.sanction
    response.timeout = preset.timeout
    response.reason = preset.reason


def create_canned(actor: User, title: str, body: str, now: datetime | None = None,
                  preset: macros.Preset | None = None) -> CannedResponse:
    """A canned response, a macro when ``preset`` holds actions.

    Refuses: anyone but administrators (403), an empty or long title or text, a preset
    macros don't allow (400).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_canned_responses())
    response = CannedResponse(title=_title(title),
                              body=_body(body), created_at=now,
                              created_by_id=actor.id)
    _set_preset(response, macros.checked_preset(preset))
    db.session.add(response)
    db.session.flush()
    audit.record(actor, "canned.create", response, after=_logged(response), now=now)
    commit()
    return response


def update_canned(actor: User, response: CannedResponse, title: str, body: str,
                  now: datetime | None = None,
                  preset: macros.Preset | None = None) -> CannedResponse:
    """Refuses: as ``create_canned``. Without ``preset`` the actions stay as they were."""
    now = now or utcnow()
    require(Policy(actor).can_manage_canned_responses())
    title, body = _title(title), _body(body)
    preset = macros.checked_preset(preset) if preset is not None else macros.preset_of(response)
    if (title, body) == (response.title, response.body) and preset == macros.preset_of(response):
        return response
    before = _logged(response)
    response.title, response.body, response.updated_at = title, body, now
    _set_preset(response, preset)
    audit.record(actor, "canned.update", response, before=before, after=_logged(response),
                 now=now)
    commit()
    return response


def delete_canned(actor: User, response: CannedResponse, now: datetime | None = None) -> None:
    """Refuses: anyone but administrators (403)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_canned_responses())
    audit.record(actor, "canned.delete", response, before=_logged(response), now=now)
    db.session.delete(response)
    commit()
