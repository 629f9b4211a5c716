"""Per-request wiring: who is logged in, input hygiene, template helpers, cookies."""
from __future__ import annotations

from datetime import timedelta
from functools import cache
from urllib.parse import quote, unquote_to_bytes

from flask import Flask, current_app, g, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import String, bindparam, case, cast, func, select, update
from sqlalchemy.orm import with_expression
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.middleware.proxy_fix import ProxyFix

from . import avatars
from .common import numfmt, remote_images, timefmt
from .errors import bad_request
from .extensions import db, login_manager
from .i18n import LANGUAGES, language
from .models import (
    ApiToken,
    BoardModerator,
    GroupMember,
    Login,
    User,
    UserBlock,
    UTCDateTime,
    utcnow,
)
from .policy import policy
from .stores import settings

LAST_SEEN_EVERY = timedelta(minutes=5)


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request came over HTTPS, not only when configured."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def get_signing_serializer(self, app: Flask):
        # Flask builds a new serializer (and derives its keys again) for every request; one
        # per set of keys does the same work once.
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get("agora_session_serializer")
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            app.extensions["agora_session_serializer"] = cached
        return cached[1]


@login_manager.user_loader
def load_user(cookie: str) -> User | None:
    """The member whose login the session or remember-me cookie names, while that login is
    open: logging out anywhere ends it here too."""
    from .services.accounts import logins

    parsed = logins.parse_cookie(cookie)
    if parsed is None:
        return None
    login_id, secret = parsed
    # The login comes along in the member's query: checking it costs no query of its own.
    row = db.session.execute(_user_statement(), {
        "login_id": login_id, "idle_since": utcnow() - logins.idle_limit(),
    }).one_or_none()
    if row is None or not logins.secret_matches(secret, row.secret_hash):
        return None
    user = row.User
    user.login_cookie, user.login_seen_at = cookie, row.last_seen_at
    if user.approval_state is not None:
        return None  # an account waiting for approval (or rejected) is nobody's session
    return user


@cache
def _member_options() -> tuple:
    """What a signed-in member's row brings along, whether a login or an API token loaded
    it. Built once: making loader options costs more than running the statement."""
    from .policy import standing

    # Whether a sanction is in force comes along, which nearly always spares the policy its
    # own query, and so do the ids of the boards a board moderator moderates (as text: an
    # eager-loaded collection cost every member more than the lookup it saves the few).
    boards = (select(func.aggregate_strings(cast(BoardModerator.board_id, String), ","))
              .where(BoardModerator.user_id == User.id).scalar_subquery())
    # The member's groups likewise ("" for none), so boards limited to groups cost nothing more.
    groups = func.coalesce(
        select(func.aggregate_strings(cast(GroupMember.group_id, String), ","))
        .where(GroupMember.user_id == User.id).scalar_subquery(), "")
    # And the members they blocked (negative: their posts folded away too), so profiles and
    # thread pages ask nothing for blocks.
    signed = case((UserBlock.collapse_posts.is_(True), -UserBlock.blocked_id),
                  else_=UserBlock.blocked_id)
    blocked = func.coalesce(
        select(func.aggregate_strings(cast(signed, String), ","))
        .where(UserBlock.blocker_id == User.id).scalar_subquery(), "")
    return (
        # The clock is read when the statement runs (and again if the row is refreshed).
        with_expression(User.sanctioned_at_load, standing.any_in_force(
            bindparam("now", callable_=utcnow, type_=UTCDateTime))),
        with_expression(User.moderated_board_list, boards),
        with_expression(User.group_list, groups),
        with_expression(User.blocked_list, blocked),
    )


@cache
def _user_statement():
    return (
        select(User, Login.secret_hash, Login.last_seen_at)
        .join(Login, Login.user_id == User.id)
        .where(Login.id == bindparam("login_id"), Login.revoked_at.is_(None),
               Login.last_seen_at > bindparam("idle_since", type_=UTCDateTime))
        .options(*_member_options())
    )


@cache
def _token_statement():
    """The member an API token belongs to, loaded as ``_user_statement`` loads a login's (so
    the policy asks no more of an API call than of a page), with the token's row."""
    return (select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.id == bindparam("token_id"))
            .options(*_member_options()))


def load_token_user(text: str | None):
    """(member, token) for an API token whose secret matches, whatever its state (the
    caller asks ``tokens.refusal``); None for anything else."""
    from .services.accounts import tokens

    parsed = tokens.parse(text)
    if parsed is None:
        return None
    token_id, secret = parsed
    row = db.session.execute(_token_statement(), {"token_id": token_id}).one_or_none()
    if row is None or not tokens.secret_matches(secret, row.ApiToken.secret_hash):
        return None
    return row.User, row.ApiToken


# Endpoints that take a file, with a body limit of their own (the app's is 1 MiB).
LARGE_BODY_ENDPOINTS = frozenset({"uploads.create", "uploads.set_avatar", "boards.new_thread",
                                  "boards.reply"})


def large_body_limit() -> None:
    """Upload routes take the ``upload_max_mb`` setting plus room for the form; past it the
    request is refused (413) before it is read, with a message naming the limit."""
    if request.endpoint not in LARGE_BODY_ENDPOINTS:
        return
    from .services.uploads import uploading

    request.max_content_length = (uploading.limit_bytes()
                                  + current_app.config["UPLOAD_FORM_OVERHEAD"])
    g.too_large_message = uploading.too_large_message()


def _reject_bad_text() -> None:
    """NUL bytes and invalid UTF-8 never reach a form or the database."""
    raw_query = request.query_string
    if raw_query:
        _check_bytes(unquote_to_bytes(raw_query.replace(b"+", b" ")))
    if request.method in {"POST", "PUT", "PATCH"} and request.mimetype in {
        "application/x-www-form-urlencoded",
        "",
    }:
        _check_bytes(unquote_to_bytes(request.get_data(cache=True).replace(b"+", b" ")))
    for key, value in request.form.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise bad_request(_("Text may not contain NUL characters."))


def _check_bytes(data: bytes) -> None:
    if b"\x00" in data:
        raise bad_request(_("Text may not contain NUL characters."))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(_("Text must be valid UTF-8.")) from None


def _touch_last_seen() -> None:
    if not current_user.is_authenticated:
        return
    now = utcnow()
    user = current_user._get_current_object()
    member_due = user.last_seen_at is None or now - user.last_seen_at >= LAST_SEEN_EVERY
    login_due = user.login_seen_at is not None and now - user.login_seen_at >= LAST_SEEN_EVERY
    if not (member_due or login_due):
        return
    # Plain UPDATEs on their own connection, outside the page's unit of work: presence is
    # best-effort, and committing the page's session would expire the user just loaded.
    with db.engine.begin() as connection:
        if member_due:
            connection.execute(update(User).where(User.id == user.id).values(last_seen_at=now))
        if login_due:
            connection.execute(
                update(Login).where(Login.id == user.login_id).values(last_seen_at=now))
    if member_due:
        set_committed_value(user, "last_seen_at", now)
    if login_due:
        user.login_seen_at = now


def _record_address() -> None:
    """A member sending a form (posting, editing, reporting) is acting from this address;
    reading pages records nothing. At most one write an hour per member and address."""
    if request.method != "POST" or not current_user.is_authenticated:
        return
    from .services.accounts import addresses

    addresses.record(current_user.id, request.remote_addr, separately=True)


def current_actor() -> User:
    """The signed-in member as a plain object, for services (which keep it past the request
    proxy's lookups)."""
    return current_user._get_current_object()


def viewer_tz() -> str:
    """The viewer's time zone name (UTC for guests), looked up once per request."""
    # Asked for every time on a page (40 on a thread page); current_user is a costly proxy.
    tz = g.get("viewer_tz")
    if tz is None:
        tz = g.viewer_tz = (current_user.timezone if current_user.is_authenticated
                            else settings.get("default_timezone"))
    return tz


def _time_tag(value, fmt: str = "datetime") -> Markup:
    if value is None:
        return Markup("")
    tz = viewer_tz()
    # machine() yields only digits, dashes, colons, a "T" and a "Z": nothing to escape.
    moment = timefmt.machine(value)
    if fmt == "relative":
        title = escape(timefmt.format_datetime(value, tz))
        text = escape(timefmt.relative(value, tz_name=tz))
        return Markup(f'<time datetime="{moment}" title="{title}">{text}</time>')
    text = timefmt.format_date(value, tz) if fmt == "date" else timefmt.format_datetime(value, tz)
    return Markup(f'<time datetime="{moment}">{escape(text)}</time>')


class UrlPattern:
    """A URL built once per page and completed per row: ``url_for`` through the routing map
    cost a tenth of a thread page when called for every post's links.

    Values are percent-encoded as ``url_for`` would: usernames in any script come out as
    ``/u/J%C3%BCrgen``."""

    _SLOT = "2147483647"

    def __init__(self, endpoint: str, key: str, **values) -> None:
        built = url_for(endpoint, **{key: int(self._SLOT)}, **values)
        self._head, _, self._tail = built.partition(self._SLOT)

    def __call__(self, value) -> str:
        return f"{self._head}{quote(str(value), safe='')}{self._tail}"


def loads_remote_images() -> bool:
    """Whether the viewer chose to see images from other sites at once (a column of their
    row: no query)."""
    return bool(getattr(current_user, "load_remote_images", False))


def shown(html: str | None) -> Markup:
    """Stored post HTML as this viewer sees it: images from other sites held back behind a
    placeholder unless they chose "always load"."""
    if loads_remote_images():
        return Markup(html or "")
    return remote_images.hold_back(html or "", lambda site: _("Image from %(site)s",
                                                             site=site), _("Load image"))


# An avatar shown at this many pixels uses the stored size at twice that (``AVATAR_SIZES``).
_AVATAR_SIZE_INDEX = {28: 0, 48: 1}


def avatar_src(user, shown: int = 48) -> str:
    """The address of a member's avatar: their uploaded one (addressed by its content, so
    it is cached for good and a new one shows at once), else the generated one with the
    initials of their display name."""
    keys = (getattr(user, "avatar_keys", None) or "").split()
    root = request.script_root
    if keys:
        key = keys[min(_AVATAR_SIZE_INDEX.get(shown, len(keys) - 1), len(keys) - 1)]
        return f"{root}/avatars/{key.rpartition('/')[2]}"
    patterns = current_app.extensions["agora_links"]
    pattern = patterns.get(("avatar-pattern", root))
    if pattern is None:
        pattern = patterns[("avatar-pattern", root)] = UrlPattern("profiles.avatar",
                                                                  "username")
    url = pattern(user.username)
    letters = avatars.initials(user.name)
    if letters != avatars.initials(user.username):
        url += "?i=" + quote(letters, safe="")
    return url


_LINKS_MAX = 256


def link(endpoint: str, **values) -> str:
    """``url_for`` for the fixed links every page carries (header, footer, stylesheet),
    routed once per script root instead of on every request. Only for values written in
    templates: the cache does not grow with what visitors send."""
    links = current_app.extensions["agora_links"]
    key = (request.script_root, endpoint, *sorted(values.items()))
    found = links.get(key)
    if found is None:
        found = url_for(endpoint, **values)
        if len(links) < _LINKS_MAX:
            links[key] = found
    return found


def page_window(page: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: first, last and a window around the current one; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - radius), min(pages, page + radius) + 1)})
    window: list[int | None] = []
    for n in shown:
        if window and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    return window


def nav_counts() -> dict[str, int]:
    """The bell's unread count, unread conversations and, for the moderation team, open
    reports and posts waiting for approval: one query for all, once per request, none for
    guests."""
    if "nav_counts" not in g:
        from .services import notifications
        from .services.community import announcements
        from .services.content import approvals
        from .services.conversations import reading as conversations
        from .services.moderation import report_queue

        viewer = policy()
        counts = {"unread": 0, "reports": 0, "approvals": 0, "messages": 0}
        if viewer.is_member:
            unread = notifications.unread_count_query()
            messages = conversations.unread_count_query()
            params = {"viewer_id": viewer.user.id}
            # The banner's announcements and the member's dismissals ride along, so the
            # banner on every page costs members no query of its own.
            if viewer.is_staff_anywhere:
                reports = report_queue.open_count_query(viewer)
                waiting = approvals.waiting_count_query(viewer)
                row = announcements.select_with_notices(viewer, unread, messages, reports,
                                                        waiting, params=params)
                counts["reports"], counts["approvals"] = row[2] or 0, row[3] or 0
            else:
                row = announcements.select_with_notices(
                    viewer, unread, messages, params=params, reusable=True)
            counts["unread"], counts["messages"] = row[0] or 0, row[1] or 0
        g.nav_counts = counts
    return g.nav_counts


def _stored_words(app: Flask) -> None:
    """Filters that word what is stored as codes (a notification, a log entry's action and
    target, a report's outcome) in the reader's language, moments in their zone."""
    from .services import audit_names, notification_texts
    from .services.moderation import summaries, system_reasons

    app.jinja_env.filters["notification"] = (
        lambda note: notification_texts.shown(note, viewer_tz()))
    app.jinja_env.filters["action_name"] = audit_names.action_name
    app.jinja_env.filters["target_label"] = (
        lambda entry: audit_names.target_label(entry.target_kind, entry.target_label))
    app.jinja_env.filters["outcome"] = summaries.summary_text
    app.jinja_env.filters["reason"] = system_reasons.shown
    app.jinja_env.filters["field_name"] = audit_names.field_name
    app.jinja_env.filters["field_value"] = (
        lambda value, key: audit_names.field_value(key, value, viewer_tz()))


def trust_proxy(app: Flask) -> None:
    """Behind one reverse proxy (``TRUST_PROXY``): the client's address, scheme and host are
    the ones it puts last into X-Forwarded-For, -Proto and -Host. Only safe when nothing but
    the proxy can reach the app, or anyone could name any address."""
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def init_web(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config.get("TRUST_PROXY"):
        trust_proxy(app)

    app.before_request(_reject_bad_text)
    app.before_request(_touch_last_seen)
    app.before_request(_record_address)

    app.jinja_env.filters["time"] = _time_tag
    app.jinja_env.filters["machine"] = timefmt.machine
    app.jinja_env.filters["duration"] = timefmt.duration
    _stored_words(app)
    # ``moment|datefmt("weekday")`` and friends: a date (or a moment already in the zone it
    # is shown in) in one of the language's patterns; ``count|number``: "1,234" / "1.234".
    app.jinja_env.filters["datefmt"] = timefmt.write
    app.jinja_env.filters["number"] = numfmt.number
    app.jinja_env.globals["page_window"] = page_window
    app.jinja_env.globals["nav_counts"] = nav_counts
    app.jinja_env.globals["url_pattern"] = UrlPattern
    app.jinja_env.globals["link"] = link
    app.jinja_env.globals["avatar_src"] = avatar_src
    app.jinja_env.filters["shown"] = shown
    app.extensions["agora_links"] = {}
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        # Read from the settings kept per process: no query of their own on most pages.
        return {"policy": policy(), "current_language": language(), "languages": LANGUAGES,
                "site_name": settings.get("forum_name"),
                "site_tagline": settings.get("tagline"),
                "site_contact": settings.get("contact_email"),
                # "Sign up" links only where anyone may; an invitation link still works.
                "registration_open": settings.get("registration_mode") == "open",
                "documents_published": settings.document_version("rules") > 0
                or settings.document_version("privacy") > 0,
                "documents_pending": current_user.is_authenticated
                and not settings.documents_accepted(current_user),
                # A column of the member loaded anyway: the reminder costs no query.
                "email_unconfirmed": current_user.is_authenticated
                and getattr(current_user, "email_confirmed_at", True) is None}

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'",
        )
        return response
