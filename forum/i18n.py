"""Which language a request is answered in, and the catalogs behind it.

The choice, first that applies: the member's own setting; the language a browser picked in the
footer (a cookie); the browser's ``Accept-Language``; the forum's default. Every string a person
reads goes through Flask-Babel (``gettext``/``ngettext``/``lazy_gettext`` in Python, ``_()`` and
``{% trans %}`` in templates), with named placeholders only, so a translation may reorder them.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from .common.locales import LANGUAGES
from .extensions import babel
from .stores import settings

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
COOKIE = "lang"


def is_language(code: str | None) -> bool:
    return code in LANGUAGES


def language() -> str:
    """The request's language code, for keys of anything kept between requests: a page or a
    piece rendered in one language is never handed to a reader of another."""
    return str(get_locale() or current_app.config.get("DEFAULT_LANGUAGE", "en"))


def select_locale() -> str:
    if not has_request_context():
        # A command or a timer: no reader to ask, and perhaps no settings table yet.
        return current_app.config.get("DEFAULT_LANGUAGE", "en")
    user = current_user._get_current_object() if current_user else None
    chosen = getattr(user, "language", None) if user is not None and user.is_authenticated else None
    if is_language(chosen):
        return chosen
    cookie = request.cookies.get(COOKIE)
    if is_language(cookie):
        return cookie
    asked = request.accept_languages.best_match(list(LANGUAGES))
    if asked:
        return asked
    # A browser that asks for none of ours (or for nothing): the forum's own language. Read
    # from the settings every page reads anyway, kept per process, so no query of its own.
    default = settings.get("default_language")
    return default if is_language(default) else current_app.config.get("DEFAULT_LANGUAGE", "en")


def compile_catalogs(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile each ``.po`` whose ``.mo`` is missing or older. ``make`` does it at build time;
    doing it here too means a checkout run any other way (``flask run``, a test run, gunicorn
    after a pull) never shows a stale translation. Returns the catalogs compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with mo.open("wb") as target:
                write_mo(target, catalog)
        except OSError:  # a read-only install: its .mo files were built with it
            continue
        compiled.append(mo)
    return compiled


# A page asks for a few dozen texts. Flask-Babel finds the catalog anew for each (a chain of
# context lookups), which cost a member's thread page several per cent; a page's templates
# instead take the catalog found once when the page starts rendering (``_catalog``, from the
# context processor below) and fall back to Flask-Babel where a template has no context of
# the page (a macro imported without it).
def _catalog(context):
    return context.get("_catalog") or get_translations()


@pass_context
def _gettext(context, message):
    return _catalog(context).ugettext(message)


@pass_context
def _ngettext(context, singular, plural, n):
    return _catalog(context).ungettext(singular, plural, n)


@pass_context
def _pgettext(context, msgctxt, message):
    return _catalog(context).upgettext(msgctxt, message)


@pass_context
def _npgettext(context, msgctxt, singular, plural, n):
    return _catalog(context).unpgettext(msgctxt, singular, plural, n)


# What templates call. Jinja's own "new style" callables wrap the functions above in two more
# layers of context calls per text (``_`` → ``gettext`` → the function), which is most of what
# a page's few dozen texts cost; these do the same in one: translate, mark safe under
# autoescaping, fill the named placeholders (escaped) — always, as Jinja does, so "%%" reads "%".
@pass_context
def _template_gettext(__context, __message, **variables):
    # Positional names no text's placeholders can take (a call may pass ``message=…``).
    context = __context
    text = _catalog(context).ugettext(__message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _template_ngettext(__context, __singular, __plural, __num, **variables):
    context = __context
    variables.setdefault("num", __num)
    text = _catalog(context).ungettext(__singular, __plural, __num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("DEFAULT_LANGUAGE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=_gettext, ngettext=_ngettext, newstyle=True, pgettext=_pgettext,
        npgettext=_npgettext)
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext,
                                 ngettext=_template_ngettext)
    app.context_processor(lambda: {"_catalog": get_translations()})
