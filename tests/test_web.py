"""Request hygiene and error pages that every area relies on."""
from __future__ import annotations

from forum.common import timefmt
from forum.web import page_window


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"couldn" in response.data  # "We couldn't find that page"
    assert b"<html" in response.data


def test_json_clients_get_json_errors(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    assert "message" in response.get_json()


def test_nul_byte_in_query_is_refused(client):
    response = client.get("/?q=a%00b")
    assert response.status_code == 400
    assert b"NUL" in response.data


def test_invalid_utf8_in_query_is_refused(client):
    response = client.get("/?q=%ff%fe")
    assert response.status_code == 400
    assert b"UTF-8" in response.data


def test_nul_byte_in_form_is_refused(client):
    response = client.post("/login", data={"login": "a\x00b", "password": "x"})
    assert response.status_code == 400


def test_invalid_utf8_form_body_is_refused(client):
    response = client.post(
        "/login", data=b"login=%ff%fe&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert b"UTF-8" in response.data


def test_oversized_request_is_refused(client):
    response = client.post("/login", data={"login": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_page_window_marks_gaps():
    assert page_window(1, 1) == [1]
    assert page_window(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert page_window(2, 4) == [1, 2, 3, 4]


def test_unknown_time_zone_falls_back_to_utc():
    assert timefmt.zone("Mars/Olympus").key == "UTC"
    assert timefmt.is_zone("Europe/Paris")
    assert not timefmt.is_zone("Mars/Olympus")


def test_hostile_bytes_in_a_post_save_nothing(client, login, member):
    from forum.extensions import db
    from forum.models import Post, Thread
    from tests import factories

    board = factories.make_board(slug="general")
    thread = factories.make_thread(board)
    login(member)
    posts_before = db.session.query(Post).count()

    nul = client.post(f"/t/{thread.id}/reply", data={"body": "hello\x00world"})
    bad_utf8 = client.post(
        "/b/general/new", data=b"title=ok&body=%c3%28",
        content_type="application/x-www-form-urlencoded",
    )

    assert nul.status_code == 400
    assert bad_utf8.status_code == 400
    assert db.session.query(Post).count() == posts_before
    assert db.session.query(Thread).count() == 1


def test_missing_csrf_token_on_a_reply_is_refused(client, login, member, enable_csrf):
    from forum.extensions import db
    from forum.models import Post
    from tests import factories

    thread = factories.make_thread(factories.make_board())
    login(member)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "no token"})
    assert response.status_code == 400
    assert b"reload the page" in response.data
    assert db.session.query(Post).count() == 1
