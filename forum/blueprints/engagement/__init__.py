"""Contests and expert Q&As: entries, votes, results; questions, answers, summaries."""
from flask import Blueprint

bp = Blueprint("engagement", __name__)

from . import contest_views, qa_views  # noqa: E402,F401  (registers the routes on bp)
