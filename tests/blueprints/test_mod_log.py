"""The moderation log page and its CSV export: filters, escaping, who may see and export."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from forum.models import ModAction, utcnow
from forum.services import audit
from forum.services.moderation import sanctions
from tests import factories
from tests.factories import text

LOG_BUDGET = 6


@pytest.fixture
def history(app, moderator, admin):
    rude = factories.make_user(username="rude")
    pest = factories.make_user(username="pest")
    sanctions.warn(moderator, rude, "Insults <script>alert(1)</script>")
    sanctions.warn(admin, pest, "=HYPERLINK(\"http://evil\")")
    return rude, pest


def test_log_lists_entries_newest_first(client, login, moderator, history):
    login(moderator)
    html = text(client.get("/mod/log"))
    assert html.index("=HYPERLINK") < html.index("Insults")
    assert "<script>alert(1)</script>" not in html
    assert "Export CSV" not in html  # moderators read, administrators export


@pytest.mark.parametrize("query, shown, hidden", [
    ("actor=admin", "HYPERLINK", "Insults"),
    ("member=rude", "Insults", "HYPERLINK"),
    ("action=user.warn", "Insults", "nothing-else"),
    ("member=nobody", "No log entries match", "Insults"),
])
def test_log_filters(client, login, moderator, history, query, shown, hidden):
    login(moderator)
    html = text(client.get(f"/mod/log?{query}"))
    assert shown in html and hidden not in html


def test_log_filters_by_date(client, login, moderator, history):
    login(moderator)
    today = utcnow().date()
    assert "Insults" in text(client.get(f"/mod/log?since={today}&until={today}"))
    yesterday = today - timedelta(days=1)
    assert "Insults" not in text(client.get(f"/mod/log?until={yesterday}"))


@pytest.mark.parametrize("query", ["since=yesterday", "until=2026-02-30", "page=0",
                                   "since=2026-05-02&until=2026-05-01", "actor=" + "x" * 65])
def test_log_bad_filters_are_400(client, login, moderator, history, query):
    login(moderator)
    assert client.get(f"/mod/log?{query}").status_code == 400


def test_log_page_past_the_end_is_404(client, login, moderator, history):
    login(moderator)
    assert client.get("/mod/log?page=5").status_code == 404


@pytest.mark.parametrize("entries", [3, 60])
def test_log_query_budget(client, login, moderator, count_queries, entries):
    pest = factories.make_user()
    for n in range(entries):
        audit.record(moderator, "user.note", pest, f"note {n}")
    from forum.extensions import db
    db.session.commit()
    login(moderator)
    client.get("/mod/log")
    with count_queries() as queries:
        assert client.get("/mod/log").status_code == 200
    assert len(queries) <= LOG_BUDGET, queries


def test_admin_exports_csv_with_formulas_defused(client, login, admin, history):
    login(admin)
    html = text(client.get("/mod/log"))
    assert "Export CSV" in html
    response = client.get("/mod/log.csv?action=user.warn")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text(response))))
    assert rows[0][:4] == ["time", "actor", "action", "action_name"]
    reasons = [row[6] for row in rows[1:]]
    assert "Insults <script>alert(1)</script>" in reasons
    assert "'=HYPERLINK(\"http://evil\")" in reasons


def test_export_is_for_administrators_only(client, login, moderator, member, history):
    response = client.get("/mod/log.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(moderator)
    assert client.get("/mod/log.csv").status_code == 403
    login(member)
    assert client.get("/mod/log").status_code == 403


def test_board_moderators_cannot_read_the_log(client, login):
    helper = factories.make_board_moderator(factories.make_user(), factories.make_board())
    login(helper)
    assert client.get("/mod/log").status_code == 403


def test_no_route_changes_the_log(app, client, login, admin, history):
    login(admin)
    before = [(e.id, e.reason) for e in ModAction.query.order_by(ModAction.id)]
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/mod/log")
        assert response.status_code == 405
    writable = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/mod/log")
                and rule.methods - {"GET", "HEAD", "OPTIONS"}]
    assert writable == []
    assert [(e.id, e.reason) for e in ModAction.query.order_by(ModAction.id)] == before
