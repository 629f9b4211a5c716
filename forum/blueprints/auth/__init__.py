"""Accounts on the web: register, log in and out, change password."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import account_views, appeal_views, two_factor_views, views  # noqa: E402,F401  (registers the routes on bp)
