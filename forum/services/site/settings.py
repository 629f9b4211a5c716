"""Changing site settings, for administrators; reading them is ``stores.settings``."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel.speaklater import LazyString

from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...models import SETTINGS, Setting, User, utcnow
from ...policy import Policy
from ...stores.settings import clear_cache, get
from .. import audit


def update(actor: User, changes: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Change settings (form text or typed values), logging each real change as
    ``setting.change``. Returns the changed settings' new values.

    Refuses: anyone but administrators (403); an unknown setting or a value out of range (400,
    naming the setting; nothing is saved).
    """
    require(Policy(actor).can_manage_settings())
    now = now or utcnow()
    parsed: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in SETTINGS:
            raise Refused(_("There is no setting called %(name)s.", name=name), status=400)
        try:
            parsed[name] = SETTINGS[name].parse(raw)
        except ValueError as error:
            raise Refused(str(error), status=400) from None
    changed: dict[str, Any] = {}
    for name, value in parsed.items():
        old = get(name)
        if isinstance(old, LazyString):  # a default kept in each reader's language
            old = str(old)
        if value == old:
            continue
        row = db.session.get(Setting, name)
        if row is None:
            row = Setting(name=name)
            db.session.add(row)
        row.value = value
        row.updated_at = now
        row.updated_by_id = actor.id
        audit.record(actor, "setting.change", row, before={"value": old},
                     after={"value": value}, now=now)
        changed[name] = value
    commit()
    if changed:
        clear_cache()
    return changed
