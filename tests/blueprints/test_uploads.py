"""The upload page, the body limit of its own, and serving images to whom may see them."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Access, Upload
from forum.services.content import posting
from forum.services.conversations import writing
from forum.services.uploads import uploading
from tests import factories, image_kit
from tests.blueprints.test_thread_page import THREAD_BUDGET
from tests.factories import text


@pytest.fixture
def maker(app):
    return factories.make_established_user(username="maker")


def _send(client, data: bytes, name: str = "photo.jpg"):
    return client.post("/uploads/new", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(select(func.count(Upload.id)))


def _in_post(author, board, data=None):
    """An upload shown in the opening post of a new thread in ``board``."""
    upload = uploading.upload_image(author, data or image_kit.jpeg(), "bench.jpg")
    thread = posting.create_thread(author, board, "Build log", f"![bench]({upload.url})")
    db.session.expire_all()
    return upload, thread


def test_guests_are_sent_to_log_in(client):
    response = client.get("/uploads/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_member_uploads_and_gets_the_line_to_paste(client, login, maker):
    login(maker)
    page = client.get("/uploads/new")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in text(page)
    response = _send(client, image_kit.jpeg(exif=image_kit.gps_exif()), "my bench.jpg")
    assert response.status_code == 302
    upload = db.session.scalar(select(Upload))
    html = text(client.get("/uploads/new"))
    assert f'value="![my bench]({upload.url})"' in html
    assert upload.thumb_url in html


def test_a_file_over_the_apps_usual_limit_but_within_the_setting_is_taken(client, login, maker):
    login(maker)
    noisy = io.BytesIO()
    from PIL import Image

    Image.effect_noise((1800, 1800), 120).convert("RGB").save(noisy, "JPEG", quality=95)
    big = noisy.getvalue()
    assert len(big) > 1024 * 1024
    assert _send(client, big).status_code == 302
    assert _count() == 1


@pytest.mark.parametrize("csrf", [False, True])
def test_a_50_mb_file_gets_a_clear_413_page(app, client, login, maker, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    login(maker)
    response = _send(client, b"\xff\xd8\xff" + bytes(50 * 1024 * 1024), "huge.jpg")
    app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 413
    assert "images can be at most 8 MB" in text(response)
    assert _count() == 0


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.jpg", "That file is empty"),
    (image_kit.huge_header_jpeg(), "bomb.jpg", "too many pixels"),
    (image_kit.html_as_png(), "page.png", "an image we can read"),
    (image_kit.svg(), "drawing.svg", "an image we can read"),
    (image_kit.gif(frames=1000), "flicker.gif", "too many frames"),
    (image_kit.jpeg(), "../../etc/passwd.jpg", "file name"),
])
def test_bad_files_get_a_400_with_the_reason(app, client, login, maker, data, name, message):
    login(maker)
    response = _send(client, data, name)
    assert response.status_code == 400
    assert message in text(response)
    assert _count() == 0


def test_a_nul_in_the_file_name_is_refused(client, login, maker):
    login(maker)
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\x00.jpg\"\r\n"
            b"Content-Type: image/jpeg\r\n\r\n" + image_kit.jpeg() + b"\r\n--b--\r\n")
    response = client.post("/uploads/new", data=body,
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
    assert _count() == 0


def test_no_file_is_a_400(client, login, maker):
    login(maker)
    response = client.post("/uploads/new", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose an image" in text(response)


def test_public_images_are_cached_for_good_with_one_query(client, maker, count_queries):
    upload, _thread = _in_post(maker, factories.make_board())
    url = upload.url
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) == 1, queries
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert image_kit.opened(response.data).format == "JPEG"
    thumb = client.get(upload.thumb_url)
    assert thumb.status_code == 200 and thumb.headers["Cache-Control"].startswith("public")
    again = client.get(upload.url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_wrong_name_or_id_is_not_found(client, maker):
    upload, _thread = _in_post(maker, factories.make_board())
    assert client.get(f"/uploads/{upload.id}/{'0' * 16}.jpg").status_code == 404
    assert client.get(f"/uploads/{upload.id + 1}/{upload.display_name}").status_code == 404
    assert client.get(f"/uploads/{upload.id}/thumb/{upload.display_name}").status_code in (
        200, 404)


def test_members_only_images_are_private_and_checked(client, login, maker, count_queries):
    upload, _thread = _in_post(maker, factories.make_board(access=Access.MEMBERS))
    assert client.get(upload.url).status_code == 404
    login(factories.make_user())
    url = upload.url
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    # The member's row (every page loads it; the first visit also stamps "last seen") and one
    # statement for the upload with its post, thread, board and conversation place.
    assert len([q for q in queries if "uploads" in q]) == 1
    assert len(queries) <= 3, queries


def test_staff_board_images_are_for_the_team(client, login, maker):
    moderator = factories.make_user(role="moderator")
    upload, _thread = _in_post(moderator, factories.make_board(access=Access.STAFF))
    login(factories.make_user())
    assert client.get(upload.url).status_code == 404
    login(factories.make_user(role="moderator"))
    assert client.get(upload.url).status_code == 200


@pytest.mark.parametrize("state", ["is_hidden", "is_deleted"])
def test_images_of_hidden_and_deleted_posts(client, login, maker, state):
    board = factories.make_board()
    upload, thread = _in_post(maker, board)
    reply_upload = uploading.upload_image(maker, image_kit.png(), "part.png")
    post = posting.reply(maker, thread, f"![part]({reply_upload.url})")
    setattr(post, state, True)
    db.session.commit()
    response = client.get(reply_upload.url)
    assert response.status_code == 404
    login(factories.make_user())
    assert client.get(reply_upload.url).status_code == 404
    login(factories.make_user(role="moderator"))
    response = client.get(reply_upload.url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    if state == "is_hidden":
        login(maker)
        assert client.get(reply_upload.url).status_code == 200
    # The opening post's image stays public.
    assert client.get(upload.url).headers["Cache-Control"].startswith("public")


def test_conversation_images_are_for_its_people_only(client, login, maker):
    other = factories.make_user(username="friend")
    upload = uploading.upload_image(maker, image_kit.jpeg(), "x.jpg")
    writing.start(maker, other.username, "Parts", f"![x]({upload.url})")
    db.session.expire_all()
    assert client.get(upload.url).status_code == 404
    login(other)
    response = client.get(upload.url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == \
        "private, no-cache"
    login(factories.make_user(role="admin"))
    assert client.get(upload.url).status_code == 404


def test_an_upload_in_no_post_yet_is_its_owners_alone(client, login, maker):
    upload = uploading.upload_image(maker, image_kit.jpeg(), "x.jpg")
    assert client.get(upload.url).status_code == 404
    login(factories.make_user())
    assert client.get(upload.url).status_code == 404
    login(maker)
    assert client.get(upload.url).status_code == 200


def test_the_thread_page_budget_is_the_same_with_images(app, client, login, maker,
                                                        count_queries):
    board = factories.make_board()
    upload, thread = _in_post(maker, board)
    for index in range(5):
        extra = uploading.upload_image(maker, image_kit.jpeg(colour=(index, 5, 5)), "x.jpg")
        posting.reply(maker, thread, f"Step {index}: ![step]({extra.url})")
    login(factories.make_user())
    with count_queries() as queries:
        response = client.get(f"/t/{thread.id}")
    assert response.status_code == 200
    assert len(queries) <= THREAD_BUDGET
    assert re.search(rf'<img src="{re.escape(upload.url)}" alt="bench"', text(response))


def test_an_image_is_added_to_a_reply_without_a_script(client, login, maker):
    thread = factories.make_thread(factories.make_board(), author=factories.make_user())
    login(maker)
    page = text(client.get(f"/t/{thread.id}/reply"))
    assert 'enctype="multipart/form-data"' in page and 'name="attach"' in page
    response = client.post(f"/t/{thread.id}/reply", data={
        "body": "My soldering station:", "attach": "1",
        "image": (io.BytesIO(image_kit.jpeg()), "station.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    upload = db.session.scalar(select(Upload))
    assert f"My soldering station:\n\n![station]({upload.url})" in text(response).replace(
        "&#10;", "\n")
    posted = client.post(f"/t/{thread.id}/reply",
                         data={"body": f"Station: ![station]({upload.url})"})
    assert posted.status_code == 302
    db.session.expire_all()
    assert upload.post_id is not None


def test_a_new_thread_gets_its_image_too_and_a_bad_one_is_refused(client, login, maker):
    board = factories.make_board()
    login(maker)
    bad = client.post(f"/b/{board.slug}/new", data={
        "title": "Log", "body": "", "attach": "1",
        "image": (io.BytesIO(image_kit.html_as_png()), "page.png")},
        content_type="multipart/form-data")
    assert bad.status_code == 400 and "an image we can read" in text(bad)
    assert _count() == 0
    empty = client.post(f"/b/{board.slug}/new", data={"title": "Log", "attach": "1"},
                        content_type="multipart/form-data")
    assert empty.status_code == 400 and "Choose an image" in text(empty)
    good = client.post(f"/b/{board.slug}/new", data={
        "title": "Log", "body": "", "attach": "1",
        "image": (io.BytesIO(image_kit.png()), "board.png")},
        content_type="multipart/form-data")
    assert good.status_code == 200
    assert "![board](/uploads/" in text(good)
