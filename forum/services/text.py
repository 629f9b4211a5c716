"""How typed text is tidied and checked before it is stored. One rule everywhere, so a form
counts a length exactly as the service that saves it."""
from __future__ import annotations

from flask_babel import gettext as _

from ..common.upload_refs import referenced_ids
from ..errors import Refused
from ..stores import settings


def multiline(value: str | None) -> str:
    """Browsers send CRLF from textareas; counting LF keeps every limit the same for everyone."""
    return (value or "").replace("\r\n", "\n").strip()


def checked(value: str | None, limit: int, *, too_long: str, missing: str | None = None) -> str:
    """The tidied text. Refuses (400) with ``missing`` when it is empty and a message was given
    for that, and with ``too_long`` beyond ``limit`` characters."""
    text = multiline(value)
    if not text and missing is not None:
        raise Refused(missing, status=400)
    if len(text) > limit:
        raise Refused(too_long, status=400)
    return text


REASON_MAX = 500


def clean_reason(text: str | None, missing: str | None = None) -> str:
    """A moderator's reason, as the log keeps it. Refuses (400) an empty reason, with
    ``missing`` (a whole sentence naming the action), or one over 500 characters."""
    if missing is None:
        missing = _("Please give a reason for “this action”.")
    return checked(text, REASON_MAX, missing=missing,
                   too_long=_("Reasons can be at most %(max)s characters.", max=REASON_MAX))


def check_images(body: str, field: str = "body") -> None:
    """Refuses (400, under ``field``) a text that shows more uploaded images than the
    ``uploads_per_post`` setting allows."""
    from ..errors import InvalidField

    most = settings.get("uploads_per_post")
    if len(referenced_ids(body)) > most:
        raise InvalidField(field, _("A post can show at most %(max)s uploaded images.",
                                    max=most))
