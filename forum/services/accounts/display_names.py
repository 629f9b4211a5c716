"""Display names: cleaned of what draws nothing, and kept from looking like the moderation
team's names, so nobody passes for a moderator or an administrator.

The character rules and the look-alike skeleton are ``common.usernames``'; this adds the one
query that knows who the team is. Both the member's profile and the administrators' account
form check through ``check``.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ...common import usernames
from ...common.numfmt import number
from ...extensions import db
from ...models import Role, User

LENGTH_MAX = usernames.DISPLAY_LENGTH_MAX


class DisplayNameRefused(ValueError):
    """Why a display name can't be used, worded for the person who typed it."""


def _staff_skeletons(user: User | None) -> set[str]:
    """The skeletons of every team member's username and display name (moderators,
    administrators, board moderators; not ``user``): one query over a handful of rows."""
    query = select(User.username, User.display_name).where(
        or_(User.role_value >= int(Role.MODERATOR), User.is_board_moderator.is_(True)),
        User.deleted_at.is_(None),
    )
    if user is not None and user.id is not None:
        query = query.where(User.id != user.id)
    found: set[str] = set()
    for username, display_name in db.session.execute(query):
        found |= usernames.display_skeletons(username)
        if display_name:
            found |= usernames.display_skeletons(display_name)
    return found


def check(typed: str | None, user: User | None) -> str | None:
    """The display name as it will be stored (``usernames.clean_display_name``), or None for
    none (the username is shown). ``user`` is the member it is for: their own names are no
    look-alike of themselves.

    Refuses (``DisplayNameRefused``): a name of invisible characters only, too many accent
    marks on one letter, over 64 characters, a name that looks like a team member's username
    or display name.
    """
    cleaned = usernames.clean_display_name(typed or "")
    problem = usernames.display_problem(typed or "", cleaned)
    if problem == usernames.DisplayProblem.NOTHING_VISIBLE:
        raise DisplayNameRefused(_("That display name has no visible letters. Type a name, or "
                                   "leave the field empty to show the username instead."))
    if problem == usernames.DisplayProblem.STACKED_MARKS:
        raise DisplayNameRefused(_("That's too many accent marks on one letter."))
    if problem == usernames.DisplayProblem.LENGTH:
        raise DisplayNameRefused(_("Display names can be at most %(max)s characters (this is "
                                   "%(count)s).", max=number(LENGTH_MAX),
                                   count=number(len(cleaned))))
    if not cleaned:
        return None
    if usernames.display_skeletons(cleaned) & _staff_skeletons(user):
        raise DisplayNameRefused(_("That display name looks too much like the name of someone "
                                   "on the moderation team, so people could mistake you for "
                                   "them. Please choose another."))
    return cleaned
