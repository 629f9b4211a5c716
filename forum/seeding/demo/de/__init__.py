"""The demo community in German: its own people, boards and thread files, played by the same
machinery as the English one (``content`` picks it with ``--lang de``)."""
from __future__ import annotations

from importlib import resources

from .people import CATEGORIES, PEOPLE
from .scenes import CALENDAR, DESK, ENGAGING, HEATED, POLLED, TIDIED, WEEK

THREADS_DIR = resources.files(__package__) / "threads"

__all__ = ["CALENDAR", "CATEGORIES", "DESK", "ENGAGING", "HEATED", "PEOPLE", "POLLED",
           "THREADS_DIR", "TIDIED", "WEEK"]
