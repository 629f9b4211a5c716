"""What the feeds and the sitemap share: absolute addresses, and XML answers that carry
validators (ETag, Last-Modified) and answer conditional requests with 304.

The forum's address: ``FORUM_URL`` when it is set (it always wins, as for links in mail);
else the request's scheme with ``SERVER_NAME`` when that is configured; else the request's
own host (behind a proxy, with ``TRUST_PROXY``, the one it forwards).
"""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Response, current_app, request

from ..services.mail.links import external_url

# Characters XML 1.0 forbids (controls but tab, newline and return; U+FFFE, U+FFFF; lone
# surrogates): a post may hold them, a feed must not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A feed reader or a proxy may keep an answer this long before asking again (with its
# validators, so asking again costs little).
MAX_AGE = 60


def absolute_url(endpoint: str, **values) -> str:
    return external_url(endpoint, **values)


def authority() -> str:
    """The name in ``tag:`` ids (RFC 4151): it must not follow the Host header, or a forum
    reached under two names would give every entry two ids and readers would show it twice.
    The host of ``FORUM_URL`` or ``SERVER_NAME``, else a name derived from the secret key."""
    configured = current_app.config.get("FORUM_URL")
    if configured:
        return urlsplit(configured).hostname or configured
    server = current_app.config.get("SERVER_NAME")
    if server:
        return server.split(":")[0]
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return f"{hashlib.sha256(b'feeds:' + secret).hexdigest()[:12]}.agora"


def clean_xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def xml_answer(body: str | bytes, mimetype: str, last_modified: datetime | None = None,
               localized: bool = True) -> Response:
    """``body`` with a strong ETag (a hash of the bytes, so any change, a hidden post too,
    makes a new one) and ``Last-Modified``, or a 304 when the request's validators match.
    If-None-Match decides when sent; a malformed If-Modified-Since is ignored. ``localized``:
    the words follow the reader's language, so shared caches keep a copy per language."""
    data = body if isinstance(body, bytes) else clean_xml(body).encode("utf-8")
    response = Response(data, mimetype=mimetype)
    if mimetype.startswith(("application/atom", "application/xml", "text/")):
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    if last_modified is not None:
        moment = (last_modified.replace(tzinfo=UTC) if last_modified.tzinfo is None
                  else last_modified.astimezone(UTC))
        response.last_modified = moment.replace(microsecond=0)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    if localized:
        # The language comes from the browser or the footer's choice (a cookie).
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response.make_conditional(request)
