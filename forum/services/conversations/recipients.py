"""Finding the members someone names as recipients, and whether each may be written to."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ...common import usernames
from ...errors import InvalidField
from ...extensions import db
from ...models import Sanction, User
from ...policy import standing
from .. import blocks

# Names are separated by commas, semicolons or spaces, and may start with "@".
_SEPARATORS = re.compile(r"[,;\s]+")
# More names than any conversation may hold is not a list a person typed.
NAMES_MAX = 60
FIELD = "recipients"


def split_names(text: str | None) -> list[str]:
    """The names in what was typed, in order, each once (in any letter case)."""
    seen: set[str] = set()
    names = []
    for raw in _SEPARATORS.split(text or ""):
        name = raw.strip().lstrip("@")
        if not name:
            continue
        folded = usernames.key(name)
        if folded in seen:
            continue
        seen.add(folded)
        names.append(name)
    return names


def find(names: list[str]) -> list[User]:
    """The members named, in the order given: one query.

    Refuses (400, under the recipients field): nobody named, too many names, a name no
    member has (deleted accounts and those waiting for approval have none)."""
    if not names:
        raise InvalidField(FIELD, _("Name at least one member to write to."))
    if len(names) > NAMES_MAX:
        raise InvalidField(FIELD, _("That is more names than a conversation can hold."))
    keys = {usernames.key(name): name for name in names}
    found = {user.username_key: user for user in db.session.scalars(
        select(User).where(User.username_key.in_(list(keys))))}
    missing = [name for key, name in keys.items()
               if key not in found or found[key].is_deleted or not found[key].is_admitted]
    if missing:
        raise InvalidField(FIELD, _("There is no member called %(names)s.",
                                    names=", ".join(missing)))
    return [found[key] for key in keys]


def check(actor: User, people: list[User], now: datetime, *, team: bool) -> None:
    """Refuses (400, under the recipients field) writing to oneself, and, unless the team
    writes, to a member who is suspended or banned or who blocked the writer. The last two
    read alike, so a refusal never tells the writer that someone blocked them."""
    if any(person.id == actor.id for person in people):
        raise InvalidField(FIELD, _("You can't start a conversation with yourself."))
    if team:
        return
    ids = [person.id for person in people]
    blocked = blocks.blockers_among(actor.id, ids)
    away = _suspended_or_banned(ids, now)
    for person in people:
        if person.id in blocked or person.id in away:
            raise InvalidField(FIELD, _("%(name)s can't receive messages from you.",
                                        name=person.username))


def _suspended_or_banned(user_ids: list[int], now: datetime) -> set[int]:
    """Which of these members can't log in now: one query."""
    sanctions = db.session.scalars(select(Sanction).where(
        Sanction.user_id.in_(user_ids), Sanction.kind.in_(["suspension", "ban"]),
        Sanction.lifted_at.is_(None), Sanction.starts_at <= now))
    by_member: dict[int, list[Sanction]] = {}
    for sanction in sanctions:
        by_member.setdefault(sanction.user_id, []).append(sanction)
    return {user_id for user_id, found in by_member.items()
            if standing.account_block(found, now) is not None}
