"""Accounts on the web: register, log in and out, change password."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import (  # noqa: E402,F401  (registers the routes on bp)
    account_views,
    appeal_views,
    login_views,
    mail_choices,
    mail_views,
    token_views,
    two_factor_views,
    views,
)
