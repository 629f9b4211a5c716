"""The API (``/api/v1``): JSON for scripts and tools, decided by the same policy and services
as the pages. Calls authenticate with a personal access token (``Authorization: Bearer …``),
never a cookie, which is why the blueprint needs no CSRF token: a page on another site can
make a browser send cookies, but not a token it doesn't know."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (registers the routes and hooks on bp)
    auth,
    docs,
    moderating,
    reading,
    writing,
)
