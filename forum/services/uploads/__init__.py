"""Images members upload: re-encoding, storing, who sees them, and cleaning up."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import references

    references.listen()
