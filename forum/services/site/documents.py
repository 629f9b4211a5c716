"""The rules and the privacy notice: Markdown documents administrators edit, shown at /rules
and /privacy and accepted by members. Saving a changed text publishes a new version (earlier
ones are kept); members who accepted an older one are asked to accept again."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...common import markup
from ...common.numfmt import number
from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...models import DOCUMENT_TITLES, Setting, SiteDocument, User, utcnow
from ...policy import Policy
from ...stores import settings as stored_settings
from .. import audit
from ..text import checked

DOCUMENT_MAX = 50_000


def _known(name: str) -> str:
    if name not in DOCUMENT_TITLES:
        raise Refused(_("There is no such document."), status=404)
    return name


def _said(name: str) -> dict[str, str]:
    """What publishing says, a whole sentence for each document (in the reader's language, so
    built when asked)."""
    limit = number(DOCUMENT_MAX)
    if name == "rules":
        return {
            "missing": _("The community rules need some text."),
            "too_long": _("Keep the community rules under %(limit)s characters.", limit=limit),
            "raced": _("Someone else published the community rules just now. Reload the page "
                       "and check their version first."),
        }
    return {
        "missing": _("The privacy notice needs some text."),
        "too_long": _("Keep the privacy notice under %(limit)s characters.", limit=limit),
        "raced": _("Someone else published the privacy notice just now. Reload the page and "
                   "check their version first."),
    }


def current(name: str) -> SiteDocument | None:
    """The published version of a document, None before the first one."""
    return db.session.scalar(
        select(SiteDocument).where(SiteDocument.name == _known(name))
        .order_by(SiteDocument.version.desc()).limit(1)
    )


def versions(viewer: Policy, name: str) -> list[SiteDocument]:
    """Every version of a document, newest first. Refuses: anyone but administrators."""
    require(viewer.can_manage_documents())
    return list(db.session.scalars(
        select(SiteDocument).where(SiteDocument.name == _known(name))
        .order_by(SiteDocument.version.desc())
    ))


def publish(actor: User, name: str, body: str,
            now: datetime | None = None) -> SiteDocument | None:
    """Save a document's text as its new version (``document.publish``) and make it the one
    members accept; an unchanged text publishes nothing and returns None.

    Refuses: anyone but administrators (403); an unknown document (404); an empty text or one
    over ``DOCUMENT_MAX`` characters (400); another administrator publishing the same
    document at the same moment (409).
    """
    require(Policy(actor).can_manage_documents())
    _known(name)
    now = now or utcnow()
    said = _said(name)
    text = checked(body, DOCUMENT_MAX, missing=said["missing"],
                   too_long=said["too_long"])
    latest = current(name)
    if latest is not None and latest.body == text:
        return None
    version = (latest.version if latest is not None else 0) + 1
    document = SiteDocument(name=name, version=version, body=text,
                            body_html=markup.render(text), created_at=now,
                            created_by_id=actor.id)
    db.session.add(document)
    setting_name = f"{name}_version"
    row = db.session.get(Setting, setting_name)
    if row is None:
        row = Setting(name=setting_name)
        db.session.add(row)
    row.value = version
    row.updated_at = now
    # Who publishes a text accepts it.
    setattr(actor, f"{name}_version", version)
    row.updated_by_id = actor.id
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Refused(said["raced"], status=409) from None
    audit.record(actor, "document.publish", document,
                 before={"version": version - 1}, after={"version": version}, now=now)
    commit()
    stored_settings.clear_cache()
    return document
