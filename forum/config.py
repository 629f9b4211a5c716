"""Settings from the environment, with safe local defaults.

This is the only module that reads ``os.environ``; tests pass a mapping to ``create_app``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance: Path) -> str:
    """Generate the key once into the instance folder so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_folder(default: Path) -> Path:
    """Where the forum keeps its local state: ``FORUM_INSTANCE``, else ``default``. Each host
    has its own (sessions' key, mail files, the search folder on SQLite)."""
    return Path(os.environ.get("FORUM_INSTANCE") or default)


def from_environment(instance: Path) -> dict:
    instance.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'forum.db'}"
    # Heroku-style URLs name the old driver; psycopg 3 is the one we ship.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Forums (or test runs) sharing one Redis keep apart by prefix.
        **_redis_prefixes(os.environ.get("REDIS_PREFIX") or "agora:"),
        "FORUM_SEARCH_INDEX": os.environ.get("FORUM_SEARCH_INDEX") or str(instance / "search"),
        # "whoosh", "postgres" or "auto" (PostgreSQL's own search on PostgreSQL, else Whoosh).
        "SEARCH_BACKEND": os.environ.get("SEARCH_BACKEND") or "auto",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "TRUST_PROXY": _flag("TRUST_PROXY"),
        # The forum's address as members reach it ("https://forum.example.org"): links in mail
        # sent by commands (run-timers, the worker) have no request to take it from.
        "FORUM_URL": (os.environ.get("FORUM_URL") or "").rstrip("/") or None,
        **_mail_settings(instance),
        **_upload_settings(instance),
        "WEBHOOK_ALLOWED_NETWORKS": _networks("WEBHOOK_ALLOWED_NETWORKS"),
    }


def _redis_prefixes(prefix: str) -> dict:
    return {"RATELIMIT_PREFIX": prefix + "rl:", "KEPT_VERSION_PREFIX": prefix + "kept:"}


def _networks(name: str) -> tuple[str, ...]:
    """A comma-separated list of addresses or networks ("10.0.0.0/8, 127.0.0.1")."""
    import ipaddress

    found = []
    for part in (os.environ.get(name) or "").split(","):
        if part.strip():
            try:
                found.append(str(ipaddress.ip_network(part.strip(), strict=False)))
            except ValueError:
                raise RuntimeError(f"{name}: {part.strip()!r} is no address or network") from None
    return tuple(found)


def _mail_settings(instance: Path) -> dict:
    """Outgoing mail (forum/services/mail). Without MAIL_SERVER, messages are written as .eml
    files to MAIL_FOLDER instead of being sent."""
    security = (os.environ.get("MAIL_SECURITY") or "starttls").strip().lower()
    if security not in {"starttls", "tls", "none"}:
        raise RuntimeError("MAIL_SECURITY must be starttls, tls or none")
    default_port = {"starttls": 587, "tls": 465, "none": 25}[security]
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or default_port),
        "MAIL_SECURITY": security,
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "agora@localhost",
        "MAIL_FOLDER": os.environ.get("MAIL_FOLDER") or str(instance / "mail"),
    }


def _upload_settings(instance: Path) -> dict:
    """Where uploaded images are kept (forum/services/uploads/storage.py): a folder by
    default, an S3-compatible bucket when S3_BUCKET is set."""
    return {
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(instance / "uploads"),
        "S3_BUCKET": os.environ.get("S3_BUCKET") or None,
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_REGION": os.environ.get("S3_REGION") or "us-east-1",
        "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
    }


DEFAULTS: dict = {
    # Server connections are renewed after half an hour and tested only after sitting idle
    # (forum/database.py), not before every use.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
    "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # posts are capped at 50k chars; 1 MiB is generous
    # Upload routes take larger bodies: the ``upload_max_mb`` setting plus room for the
    # form's other fields; anything bigger is refused before it is read.
    "UPLOAD_FORM_OVERHEAD": 64 * 1024,
    "SITE_NAME": "Agora",
    "POSTS_PER_PAGE": 20,
    "THREADS_PER_PAGE": 25,
    "MEMBERS_PER_PAGE": 30,
    # Failed logins (services/accounts/login_throttle.py): failures allowed before waiting
    # starts, per (account, address) pair, per address, and per browser that logged in to the
    # account before; then the first wait and its cap in seconds (doubling in between); and
    # how long failures are remembered.
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_FREE_FAILURES_IP": 20,
    "LOGIN_FREE_FAILURES_DEVICE": 10,
    "LOGIN_DELAY": (30, 15 * 60),
    "LOGIN_FAILURE_MEMORY": 24 * 3600,
    # The sign-up form carries the moment it was shown, signed: sent back sooner than this
    # it was filled in by a program, later than the second it is asked again.
    "REGISTRATION_MIN_SECONDS": 3,
    "REGISTRATION_FORM_MAX_SECONDS": 6 * 60 * 60,
    # The flood interval and new members' limits (settings say how strict). Test suites that
    # post many times a second turn them off and switch them on where they are the subject.
    "MEMBER_COOLDOWNS": True,
    # Guests' index, board, thread and event pages are kept whole this long in each worker
    # (emptied by any commit in that worker); 0 turns it off. See forum/pagecache.py.
    "GUEST_PAGE_CACHE_SECONDS": 5,
    # A thread's rendered page of posts is kept this long per worker, and only while none of
    # its posts changed; 0 renders it every time. See forum/blueprints/boards/post_list.py.
    "POST_LIST_CACHE_SECONDS": 60,
    # Outgoing mail: seconds an SMTP conversation may stall, attempts before a message is
    # marked failed, the first wait after a temporary error and its cap (doubling in between),
    # messages one worker claims at a time, how long a claim may stay unfinished before the
    # message counts as interrupted, and days sent messages are kept for the outbox page.
    "MAIL_TIMEOUT": 30,
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_DELAY": (60, 6 * 3600),
    "MAIL_BATCH": 50,
    "MAIL_CLAIM_SECONDS": 15 * 60,
    "MAIL_KEEP_DAYS": 30,
    # Webhooks (services/webhooks): private, loopback, link-local and other non-public
    # destinations are refused unless inside one of WEBHOOK_ALLOWED_NETWORKS (environment).
    # Seconds a whole request may take, bytes of an answer read at most, attempts before a
    # delivery fails, the first wait and its cap (doubling in between), deliveries one worker
    # claims at a time, how long a claim may stay unfinished, failed attempts in a row that
    # stop a hook, days finished deliveries are kept in the log, and the age of a signature
    # receivers should accept (the README's recipe; ``signing.verify``).
    "WEBHOOK_ALLOWED_NETWORKS": (),
    "WEBHOOK_TIMEOUT": 5.0,
    "WEBHOOK_MAX_RESPONSE_BYTES": 64 * 1024,
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_RETRY_DELAY": (30, 3600),
    "WEBHOOK_BATCH": 20,
    "WEBHOOK_CLAIM_SECONDS": 15 * 60,
    "WEBHOOK_DISABLE_AFTER": 10,
    "WEBHOOK_KEEP_DAYS": 30,
    "WEBHOOK_SIGNATURE_TOLERANCE": 300,
    # Thread addresses per sitemap part (the sitemap protocol's limit); see services/syndication.
    "SITEMAP_URLS_PER_PART": 50_000,
    "TESTING": False,
}
