"""Rendering a message: subject, plain text and HTML from one template under templates/mail/,
in the recipient's language and time zone, and the headers around them.

Headers come from ``email.headerregistry`` objects, never from pasted strings: a display name
or subject is cut to one line of printable characters first, and ``Address`` quotes and
encodes what is left, so text a member wrote (their display name) can never start a header.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc_datetime
from email.utils import make_msgid
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_translations
from jinja2 import Environment

from ...common import timefmt

SUBJECT_MAX = 200
_SPACES = re.compile(r"\s+")


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """``text`` with control, format and line-breaking characters turned into spaces."""
    cleaned = "".join(
        " " if unicodedata.category(char)[0] in "CZ" and char != " " else char
        for char in str(text or "")
    )
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _environments() -> tuple[Environment, Environment]:
    """The app's template environment twice: escaping everything (HTML part) and escaping
    nothing (subject and text part). Both read the same template file."""
    kept = current_app.extensions.get("agora_mail_env")
    if kept is None:
        base = current_app.jinja_env
        # A bytecode cache keys templates by name alone: code compiled escaping must not be
        # handed to the environment that doesn't, or the other way round.
        kept = (base.overlay(autoescape=True, bytecode_cache=None),
                base.overlay(autoescape=False, bytecode_cache=None))
        current_app.extensions["agora_mail_env"] = kept
    return kept


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template: str, language: str, tz_name: str, context: dict[str, Any]) -> Rendered:
    """The three parts of ``templates/mail/<template>.html`` in ``language``; times given to
    the template's ``moment()`` are written in ``tz_name``."""
    html_env, text_env = _environments()
    name = f"mail/{template}.html"
    with force_locale(language):
        values = {
            **context,
            "_catalog": get_translations(),
            "moment": lambda value: timefmt.format_datetime(value, tz_name),
            "lang": language,
        }
        subject = text_env.get_template(name).render(values, part="subject")
        text = text_env.get_template(name).render(values, part="text")
        html = html_env.get_template(name).render(values, part="html")
    return Rendered(one_line(subject), _tidy_text(text), html.strip() + "\n")


def _tidy_text(text: str) -> str:
    # Template tags leave blank lines behind; a paragraph break is one empty line.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy) + "\n"


def address(addr_spec: str, display_name: str = "") -> Address:
    """A header address; refuses an address with anything but printable characters."""
    if not addr_spec or any(unicodedata.category(c)[0] in "CZ" for c in addr_spec):
        raise ValueError("an email address can't hold spaces or control characters")
    return Address(display_name=one_line(display_name, 80), addr_spec=addr_spec)


def build(rendered: Rendered, to: Address, sender: Address,
          unsubscribe_url: str | None, now) -> EmailMessage:
    """The multipart message (text first, then HTML, as clients prefer the last they show)."""
    smtputf8 = not (to.addr_spec.isascii() and sender.addr_spec.isascii())
    message = EmailMessage(policy=email_policy.SMTPUTF8 if smtputf8 else email_policy.SMTP)
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = rfc_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.domain or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text, charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message
