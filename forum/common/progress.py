"""Progress reporting for long CLI work (seeding, indexing), without tying services to click.

A ``Progress`` is ``progress(length, label)`` returning a context manager whose value has
``update(n)``, as click's progress bar does; ``quiet`` is the one that reports nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

Progress = Callable[[int, str], AbstractContextManager]


class _Silent:
    def update(self, n: int) -> None:
        pass


def quiet(length: int, label: str) -> AbstractContextManager:
    return nullcontext(_Silent())


def bar(length: int, label: str) -> AbstractContextManager:
    """A terminal progress bar with the count shown."""
    import click

    return click.progressbar(length=length, label=label, show_pos=True)
