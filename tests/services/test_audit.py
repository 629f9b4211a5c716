"""The moderation log: written with the action, never changed, read by filters and CSV."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Refused
from forum.extensions import db
from forum.models import ModAction, Setting
from forum.models.moderation import AppendOnlyError
from forum.policy import Policy
from forum.services import audit
from forum.services.audit import LogFilter
from forum.services.moderation import reports
from tests import factories

from .moderation_kit import T0, reported_post


def entry_count() -> int:
    return db.session.scalar(select(func.count(ModAction.id)))


def test_record_joins_the_callers_transaction(moderator, member):
    entry = audit.record(moderator, "user.warn", member, "Be nice", now=T0)
    assert entry in db.session.new
    db.session.rollback()
    assert entry_count() == 0

    audit.record(moderator, "user.warn", member, "Be nice", now=T0)
    db.session.commit()
    [saved] = db.session.scalars(select(ModAction)).all()
    assert (saved.actor_id, saved.action, saved.created_at) == (moderator.id, "user.warn", T0)
    assert (saved.target_kind, saved.target_id, saved.target_user_id) == ("user", member.id,
                                                                         member.id)
    assert saved.target_label == "user @member"


def test_targets_are_described(moderator, member):
    board = factories.make_board(slug="news", title="News")
    thread = factories.make_thread(board, author=member, title="A long title " * 10)
    post = factories.make_post(thread, author=member)
    item = reports.file_report(moderator, post, "spam", now=T0).item

    described = {
        "post": audit.describe(post),
        "thread": audit.describe(thread),
        "board": audit.describe(board),
        "report": audit.describe(item),
        "setting": audit.describe(Setting(name="auto_hide_threshold")),
        "none": audit.describe(None),
    }
    assert described["post"][:3] == ("post", post.id, member.id)
    assert described["post"][3].startswith(f"post #{post.id} in “A long title")
    assert described["post"][3].endswith("…”")
    assert described["thread"][:3] == ("thread", thread.id, member.id)
    assert described["board"] == ("board", board.id, None, "board “News” (/b/news)")
    assert described["report"] == ("report", item.id, member.id, f"report #{item.id}")
    assert described["setting"] == ("setting", None, None, "setting auto_hide_threshold")
    assert described["none"] == (None, None, None, "")
    with pytest.raises(TypeError):
        audit.describe(object())


@pytest.mark.parametrize("action", ["warn", "User.Warn", "user.warn.now", "user warn", ""])
def test_actions_are_named_noun_verb(moderator, action):
    with pytest.raises(ValueError):
        audit.record(moderator, action, None)


def test_reasons_are_trimmed_and_capped(moderator):
    assert audit.record(moderator, "post.hide", None, "   ").reason is None
    assert len(audit.record(moderator, "post.hide", None, "x" * 3000).reason) == 2000
    db.session.rollback()


def test_the_log_is_append_only(moderator, member):
    audit.record(moderator, "user.warn", member, "Be nice", now=T0)
    db.session.commit()
    entry = db.session.scalar(select(ModAction))

    entry.reason = "Rewritten history"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()

    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(ModAction.reason)) == "Be nice"


# -- the log page ------------------------------------------------------------------------------
@pytest.fixture
def history(moderator, admin, member, other_member):
    """Five entries over three days by two actors about two members."""
    audit.record(moderator, "user.warn", member, "one", now=T0 - timedelta(days=2))
    audit.record(moderator, "post.hide", member, "two", now=T0 - timedelta(days=1))
    audit.record(admin, "user.role", other_member, "three", now=T0 - timedelta(days=1))
    audit.record(admin, "user.warn", other_member, "four", now=T0)
    audit.record(None, "post.autohide", member, "five", now=T0 + timedelta(minutes=1))
    db.session.commit()


def reasons(viewer, **filters) -> list[str]:
    return [e.reason for e in audit.log_page(Policy(viewer), LogFilter(**filters)).items]


def test_log_newest_first_and_filtered(history, moderator):
    assert reasons(moderator) == ["five", "four", "three", "two", "one"]
    assert reasons(moderator, actor="Admin") == ["four", "three"]
    assert reasons(moderator, action="user.warn") == ["four", "one"]
    assert reasons(moderator, member="member") == ["five", "two", "one"]
    assert reasons(moderator, since=date(2026, 11, 24)) == ["five", "four", "three", "two"]
    assert reasons(moderator, until=date(2026, 11, 24)) == ["three", "two", "one"]
    assert reasons(moderator, since=date(2026, 11, 24), until=date(2026, 11, 24)) == [
        "three", "two"]
    assert reasons(moderator, actor="nobody") == []


def test_log_pages(history, moderator):
    page = audit.log_page(Policy(moderator), page=2, per_page=2)
    assert [e.reason for e in page.items] == ["three", "two"]
    assert (page.page, page.pages, page.total) == (
        2, 3, 5)
    with pytest.raises(Refused) as refused:
        audit.log_page(Policy(moderator), page=4, per_page=2)
    assert refused.value.status == 404


def test_log_is_for_moderators(history, member):
    board_moderator = factories.make_board_moderator(factories.make_user(),
                                                     factories.make_board())
    for viewer in (member, board_moderator):
        with pytest.raises(Refused) as refused:
            audit.log_page(Policy(viewer))
        assert refused.value.status == 403


def test_log_page_costs_the_same_whatever_its_length(moderator, member, count_queries):
    def cost() -> int:
        db.session.expire_all()
        policy = Policy(moderator)
        with count_queries() as queries:
            page = audit.log_page(policy, LogFilter(actor="moderator", member="member"))
            for entry in page.items:
                _ = entry.actor.username, entry.target_user.username
        return len(queries)

    audit.record(moderator, "user.warn", member, "x", now=T0)
    db.session.commit()
    short = cost()
    for n in range(20):
        audit.record(moderator, "user.warn", member, f"x{n}", now=T0)
    db.session.commit()
    assert cost() == short == 2


def test_action_names(history):
    assert audit.action_names() == ["post.autohide", "post.hide", "user.role", "user.warn"]


# -- CSV ---------------------------------------------------------------------------------------
def test_csv_export_for_admins(history, admin, moderator):
    text = "".join(audit.export_csv(Policy(admin), batch=2))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == audit.CSV_COLUMNS
    assert [row[6] for row in rows[1:]] == ["one", "two", "three", "four", "five"]
    assert rows[5][1] == "(system)"
    assert rows[1][:6] == [(T0 - timedelta(days=2)).isoformat(), "moderator", "user.warn",
                           "Member warned", "user @member", "member"]

    filtered = "".join(audit.export_csv(Policy(admin), LogFilter(action="user.role")))
    assert len(list(csv.reader(io.StringIO(filtered)))) == 2
    with pytest.raises(Refused, match="Only administrators"):
        "".join(audit.export_csv(Policy(moderator)))


def test_csv_cells_never_run_as_formulas(admin, member):
    audit.record(admin, "user.warn", member, "=HYPERLINK(\"http://evil\")",
                 before={"a": 1}, after={"b": "é"}, now=T0)
    db.session.commit()
    rows = list(csv.reader(io.StringIO("".join(audit.export_csv(Policy(admin))))))
    assert rows[1][6] == "'=HYPERLINK(\"http://evil\")"
    assert (rows[1][7], rows[1][8]) == ('{"a": 1}', '{"b": "é"}')


def test_entries_link_to_their_queue_item(moderator):
    _, item = reported_post(reporters=3)
    [autohide] = db.session.scalars(select(ModAction)).all()
    assert (autohide.item_id, autohide.actor_id) == (item.id, None)
