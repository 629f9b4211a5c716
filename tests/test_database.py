"""The transaction convention: a service commits on its own, and joins its caller's
transaction inside ``joined()``."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.database import commit, joined
from forum.errors import Refused
from forum.models import Category

from . import factories


def _titles(db) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Category.title).order_by(Category.id)))


def _step(db, title: str) -> None:
    db.session.add(Category(title=title, position=0))
    commit()


def test_commit_on_its_own_commits(app, db):
    _step(db, "kept")
    db.session.rollback()
    assert _titles(db) == ["kept"]


def test_inside_joined_commit_only_flushes_and_the_caller_commits(app, db):
    with joined():
        _step(db, "first")
        _step(db, "second")
        # Flushed: visible to this transaction, not yet committed.
        assert db.session.scalar(select(Category.id).where(Category.title == "second"))
    db.session.rollback()
    assert _titles(db) == []
    with joined():
        _step(db, "first")
        with joined():
            _step(db, "nested")
    commit()
    db.session.rollback()
    assert _titles(db) == ["first", "nested"]


def test_a_refusal_inside_joined_undoes_every_step(app, db):
    with pytest.raises(Refused), joined():
        _step(db, "half")
        raise Refused("no", status=400)
    commit()
    assert _titles(db) == []


def test_joined_ends_with_its_block(app, db):
    with joined():
        pass
    factories.make_category(title="after")
    _step(db, "own")
    db.session.rollback()
    assert "own" in _titles(db)
