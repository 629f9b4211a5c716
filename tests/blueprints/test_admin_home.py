"""The panel's overview: totals, the daily chart and its table, and a fixed query budget."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from forum.extensions import db
from forum.models import utcnow
from forum.policy import Policy
from forum.services.content import posting
from forum.services.moderation import reports, sanctions
from forum.services.site import stats
from tests import factories
from tests.factories import text

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def dd(html: str, label: str) -> str:
    match = re.search(rf"<dt>(?:<a [^>]*>)?{re.escape(label)}(?:</a>)?</dt><dd>([^<]*)</dd>", html)
    assert match, f"no figure labelled {label!r}"
    return match.group(1)


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


def test_overview_counts(client, login, admin, board):
    now = utcnow()
    old = factories.make_user("old_timer", created_at=now - timedelta(days=60))
    factories.make_user("this_month", created_at=now - timedelta(days=20))
    newcomer = factories.make_user("newcomer")
    thread = factories.make_thread(board, author=old, title="Long ago")
    for post in [thread.first_post, factories.make_post(thread, author=old)]:
        post.created_at = now - timedelta(days=10)
    factories.make_post(thread, author=newcomer)
    deleted = factories.make_post(thread, author=newcomer)
    posting.delete_post(newcomer, deleted)
    reports.file_report(newcomer, thread.first_post, "spam")
    sanctions.timeout(admin, newcomer, "Cool off", timedelta(hours=1))
    sanctions.warn(admin, old, "A warning stops nothing")
    db.session.commit()

    login(admin)
    response = client.get("/admin/")
    html = text(response)
    assert response.status_code == 200
    assert "How the community is doing" in html
    assert dd(html, "Members") == "4"  # the administrator counts too
    assert dd(html, "Joined in the last 7 days") == "2"
    assert dd(html, "Joined in the last 30 days") == "3"
    assert dd(html, "Threads") == "1"
    assert dd(html, "Posts") == "3"  # the deleted one is left out
    assert dd(html, "Posts in the last 7 days") == "1"
    assert dd(html, "Open reports") == "1"
    assert dd(html, "Sanctions in force") == "1"  # the warning isn't one
    assert 'href="/mod/reports"' in html


def test_overview_of_an_empty_forum(client, login, admin):
    login(admin)
    html = text(client.get("/admin/"))
    assert dd(html, "Threads") == "0"
    assert dd(html, "Posts") == "0"
    assert "0 posts from" in html


class _Figures(HTMLParser):
    """Each <figure>'s children in order, as (tag, id or text) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[list[tuple[str, str]]] = []
        self._depth = 0  # inside a figure: how deep below it
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self.figures.append([])
            self._depth = 1
            return
        if not self._depth:
            return
        if self._depth == 1:
            self.figures[-1].append((tag, dict(attrs).get("id") or ""))
            if tag == "figcaption":
                self._caption = []
        self._depth += 1

    def handle_endtag(self, tag):
        if not self._depth:
            return
        self._depth -= 1
        if tag == "figcaption" and self._caption is not None:
            self.figures[-1][-1] = ("figcaption", " ".join("".join(self._caption).split()))
            self._caption = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)


def test_each_chart_is_captioned_above_itself(client, login, admin):
    """A caption heads its own chart (as a heading inside the figure's caption), so none
    reads as the title of the chart after it."""
    login(admin)
    html = text(client.get("/admin/"))
    parser = _Figures()
    parser.feed(html)
    assert parser.figures == [
        [("figcaption", "Posts per day"), ("svg", "chart-posts")],
        [("figcaption", "New members per day"), ("svg", "chart-members")],
        [("figcaption", "Median hours to the first reply"), ("svg", "chart-response")],
        [("figcaption", "Percent answered within the target"), ("svg", "chart-target")],
    ]
    assert len(re.findall(r'<figcaption><h3 class="chart-caption">', html)) == 4
    german = _Figures()
    german.feed(text(client.get("/admin/", headers={"Accept-Language": "de"})))
    assert [figure[0][0] for figure in german.figures] == ["figcaption"] * 4


def test_chart_is_an_accessible_svg_with_a_table(client, login, admin, board):
    author = factories.make_user("writer")
    thread = factories.make_thread(board, author=author)
    for _ in range(2):
        factories.make_post(thread, author=author)
    login(admin)
    html = text(client.get("/admin/"))

    charts = re.findall(r'<svg class="chart" id="([^"]+)"[^>]*role="img"'
                        r'[^>]*aria-labelledby="([^"]+)"', html)
    assert [name for name, _ in charts] == ["chart-posts", "chart-members", "chart-response",
                                            "chart-target"]
    for name, labelled_by in charts:
        assert labelled_by == f"{name}-title {name}-desc"
        assert f'<title id="{name}-title">' in html and f'<desc id="{name}-desc">' in html
    assert "Posts per day, last 30 days" in html
    assert "3 posts from" in html and "the busiest day had 3" in html
    # One bar per day for each series, each with its number.
    # Thirty days in each daily chart, eight weeks in each of the response charts.
    assert html.count('class="chart-bar"') == 60 + 2 * 8
    today = utcnow().date()
    label = f"{today.day} {today.strftime('%b')}"
    assert f"<title>{label}: 3 posts</title>" in html
    assert f"<title>{label}: 2 new members</title>" in html
    # The busiest day's bar reaches the top of the plot.
    assert re.search(r'height="176\.0"><title>' + re.escape(label) + ": 3 posts", html)
    # The numbers as a table, for screen readers and exact reading; no script anywhere.
    assert "<details" in html and "<summary>The numbers by day</summary>" in html
    table = html.split("<summary>The numbers by day</summary>", 1)[1].split("</details>", 1)[0]
    assert table.count("<tr><th scope=\"row\">") == 30
    first_row = re.search(r'<tr><th scope="row"><time datetime="([^"]+)">.*?</tr>', table, re.S)
    assert first_row.group(1) == today.isoformat()  # newest first
    assert '<td class="num">3</td><td class="num">2</td>' in first_row.group(0)
    # No script draws them: the page's only script loads remote images in posts on request.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/remote-images.js" defer>']


def test_days_follow_the_administrators_time_zone(app, admin, board):
    # 23:30 UTC on the 24th is already the 25th in Auckland.
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    author = factories.make_user("late_writer", created_at=now - timedelta(days=90))
    thread = factories.make_thread(board, author=author)
    thread.first_post.created_at = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    db.session.commit()

    in_utc = stats.overview(Policy(admin), "UTC", now=now)
    in_auckland = stats.overview(Policy(admin), "Pacific/Auckland", now=now)
    assert in_utc.days[-1].day == date(2026, 11, 25)
    assert (in_utc.days[-2].day, in_utc.days[-2].posts, in_utc.days[-1].posts) == (
        date(2026, 11, 24), 1, 0)
    assert in_auckland.days[-1].day == date(2026, 11, 25)
    assert (in_auckland.days[-1].posts, in_auckland.days[-2].posts) == (1, 0)


def test_series_cover_thirty_days_and_nothing_outside(app, admin, board):
    author = factories.make_user("writer", created_at=T0 - timedelta(days=400))
    thread = factories.make_thread(board, author=author)
    moments = {
        "before the window": T0 - timedelta(days=30),
        "first day": datetime(2026, 10, 27, 0, 0, tzinfo=UTC),
        "mid window": T0 - timedelta(days=10, hours=3),
        "today": T0 - timedelta(minutes=5),
        "later today": datetime(2026, 11, 25, 23, 59, tzinfo=UTC),
        "tomorrow": datetime(2026, 11, 26, 0, 0, tzinfo=UTC),
    }
    posts = [thread.first_post] + [factories.make_post(thread, author=author)
                                   for _ in range(len(moments) - 1)]
    for post, moment in zip(posts, moments.values(), strict=True):
        post.created_at = moment
    factories.make_user("joined_first_day", created_at=datetime(2026, 10, 27, 8, tzinfo=UTC))
    db.session.commit()

    overview = stats.overview(Policy(admin), "UTC", now=T0)
    assert len(overview.days) == 30
    assert overview.days[0].day == date(2026, 10, 27)
    by_day = {day.day: day for day in overview.days}
    assert by_day[date(2026, 10, 27)].posts == 1
    assert by_day[date(2026, 10, 27)].members == 1
    assert by_day[date(2026, 11, 15)].posts == 1
    assert by_day[date(2026, 11, 25)].posts == 2
    assert sum(day.posts for day in overview.days) == 4
    assert overview.busiest_posts == 2


def test_calendar_keeps_daylight_saving_days_their_true_length():
    # Paris leaves summer time on 25 October 2026: that day lasts 25 hours.
    now = datetime(2026, 10, 27, 12, tzinfo=UTC)
    dates, starts = stats.calendar(now, "Europe/Paris", days=4)
    assert dates == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26),
                     date(2026, 10, 27)]
    lengths = [(b - a).total_seconds() / 3600 for a, b in zip(starts, starts[1:], strict=False)]
    assert lengths == [24, 25, 24, 24]
    assert starts[0] == datetime(2026, 10, 23, 22, tzinfo=UTC)


def _page_queries(client, count_queries) -> int:
    client.get("/admin/")  # the first request of a session also records when they were seen
    with count_queries() as queries:
        response = client.get("/admin/")
    assert response.status_code == 200
    return len(queries)


def test_query_budget_does_not_grow_with_the_forum(client, login, admin, board, count_queries):
    login(admin)
    small = _page_queries(client, count_queries)
    authors = factories.quick_users(15)
    for n, author in enumerate(authors):
        thread = factories.make_thread(board, author=author, title=f"Thread {n}")
        factories.make_post(thread, author=authors[(n + 1) % len(authors)])
        thread.first_post.created_at = utcnow() - timedelta(days=n)
        author.created_at = utcnow() - timedelta(days=2 * n)
    reports.file_report(authors[0], thread.first_post, "spam")
    sanctions.timeout(admin, authors[1], "Cool off", timedelta(hours=1))
    db.session.commit()
    large = _page_queries(client, count_queries)
    assert large == small
    # The user, the header counts, the totals and one query per daily series (5); the response
    # figures: the boards, the threads' stored times, handled reports, the team and its three
    # counts (7).
    assert large <= 12


def test_response_figures_per_week_board_and_team_member(client, login, admin, board):
    from datetime import timedelta

    from forum.models import utcnow

    helper = factories.make_user("helper", role="moderator")
    asked = factories.make_thread(board, author=factories.make_user(), title="Fast one",
                                  created_at=utcnow() - timedelta(hours=2))
    factories.make_post(asked, author=helper, body="Here you go.")
    factories.make_thread(board, author=factories.make_user(), title="Still waiting")
    login(admin)
    html = client.get("/admin/").get_data(as_text=True)
    boards = html[html.index('id="responsiveness-boards"'):]
    start = boards.index(board.title)
    row = boards[start:boards.index("</tr>", start)]
    # Two new threads, one answered in about two hours (within the 24 h target), one waiting.
    assert ">2<" in row and "50 %" in row and ">1<" in row
    people = html[html.index('id="responsiveness-people"'):]
    assert "helper" in people
    response = client.get("/admin/responsiveness.csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("week,board,threads,answered,median_minutes")
    assert any(f",{board.slug},2,1," in line for line in lines[1:])
    team = client.get("/admin/responsiveness.csv?of=team").get_data(as_text=True)
    assert "helper,1,0,0" in team
    assert client.get("/admin/responsiveness.csv?of=nothing").status_code == 400
