"""The engine this app searches with (``backend.name``), as an object."""
from __future__ import annotations

from .backend import POSTGRES, Engine, name
from .postgres import PostgresEngine
from .whoosh_engine import WhooshEngine


def current() -> Engine:
    return PostgresEngine() if name() == POSTGRES else WhooshEngine()
