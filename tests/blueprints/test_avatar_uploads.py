"""Members' own avatars, generated initials from the display name, a moderator's reset."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ModAction, Notification
from forum.services.uploads import avatars
from forum.services.uploads.storage import storage
from tests import factories, image_kit
from tests.factories import text


@pytest.fixture
def elena(app):
    user = factories.make_established_user(username="quietsolder")
    user.display_name = "Elena Petrova"
    db.session.commit()
    return user


def _send(client, data: bytes, name: str = "me.jpg"):
    return client.post("/account/avatar", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_generated_avatars_take_the_display_names_initials(client, login, elena):
    factories.make_post(factories.make_thread(factories.make_board(), author=elena),
                        author=elena, body="Hello")
    login(elena)
    html = text(client.get("/account/profile"))
    assert "/u/quietsolder/avatar.svg?i=EP" in html
    svg = client.get("/u/quietsolder/avatar.svg?i=EP")
    assert ">EP</text>" in svg.get_data(as_text=True)
    # Anything but one or two letters or digits falls back to the username's.
    odd = client.get("/u/quietsolder/avatar.svg?i=%3Cscript%3E").get_data(as_text=True)
    assert ">Q</text>" in odd and "script" not in odd.split("<title>")[0]


def test_a_member_uploads_an_avatar_cropped_square_in_three_sizes(client, login, elena):
    login(elena)
    response = _send(client, image_kit.jpeg(300, 120, exif=image_kit.gps_exif()))
    assert response.status_code == 302
    db.session.expire_all()
    keys = avatars.keys_of(elena)
    assert len(keys) == 3
    sizes = [image_kit.opened(storage().get(key)).size for key in keys]
    assert sizes == [(48, 48), (96, 96), (256, 256)]
    assert all(b"SecretCam" not in storage().get(key) for key in keys)
    html = text(client.get("/u/quietsolder"))
    address = f"/avatars/{keys[2].split('/')[1]}"
    assert address in html


def test_an_avatar_is_served_without_a_query_and_cached_for_good(app, client, login, elena,
                                                                 count_queries):
    login(elena)
    _send(client, image_kit.png())
    db.session.expire_all()
    address = f"/avatars/{avatars.keys_of(elena)[1].split('/')[1]}"
    guest = app.test_client()
    with count_queries() as queries:
        response = guest.get(address)
    assert response.status_code == 200 and queries == []
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/avatars/" + "0" * 64 + ".webp").status_code == 404
    assert client.get("/avatars/..%2Fsecret_key").status_code == 404


def test_post_images_are_never_served_as_avatars(client, login, elena):
    from forum.services.uploads import uploading

    upload = uploading.upload_image(elena, image_kit.jpeg(), "x.jpg")
    assert client.get(f"/avatars/{upload.display_key}").status_code == 404


def test_a_new_avatar_is_a_new_address_and_the_old_files_go(client, login, elena):
    login(elena)
    _send(client, image_kit.png())
    db.session.expire_all()
    old = avatars.keys_of(elena)
    _send(client, image_kit.jpeg())
    db.session.expire_all()
    new = avatars.keys_of(elena)
    assert set(old).isdisjoint(new)
    assert not any(storage().exists(key) for key in old)
    response = client.post("/account/avatar/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert elena.avatar_keys is None
    assert not any(storage().exists(key) for key in new)


@pytest.mark.parametrize(("data", "name", "status", "message"), [
    (b"", "a.jpg", 400, "Choose an image"),
    (image_kit.html_as_png(), "a.png", 400, "an image we can read"),
    (image_kit.huge_header_jpeg(), "a.jpg", 400, "too many pixels"),
    (image_kit.jpeg(), "../a.jpg", 400, "file name"),
    (b"\xff\xd8\xff" + bytes(50 * 1024 * 1024), "a.jpg", 413, "at most 8 MB"),
])
def test_bad_avatars_are_refused_with_the_reason(client, login, elena, data, name, status,
                                                 message):
    login(elena)
    response = _send(client, data, name)
    assert response.status_code == status
    assert message in text(response)
    db.session.expire_all()
    assert elena.avatar_keys is None


def test_a_moderator_removes_an_offensive_avatar(client, login, elena):
    login(elena)
    _send(client, image_kit.png())
    moderator = factories.make_user(role="moderator")
    login(moderator)
    page = text(client.get("/mod/members/quietsolder"))
    assert "Remove the avatar" in page
    assert client.post("/mod/members/quietsolder/avatar/reset",
                       data={"reason": ""}).status_code == 400
    response = client.post("/mod/members/quietsolder/avatar/reset",
                           data={"reason": "Offensive picture"})
    assert response.status_code == 302
    db.session.expire_all()
    assert elena.avatar_keys is None
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "user.avatar_reset"))
    assert entry.actor_id == moderator.id and entry.reason == "Offensive picture"
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == elena.id))
    assert note is not None and note.key == "user.avatar_reset"
    # Nothing left to remove: a clear 400, nothing logged twice.
    again = client.post("/mod/members/quietsolder/avatar/reset", data={"reason": "Again"})
    assert again.status_code == 400


def test_members_and_moderators_of_equal_rank_cannot_reset(client, login, elena):
    login(elena)
    _send(client, image_kit.png())
    login(factories.make_user())
    assert client.post("/mod/members/quietsolder/avatar/reset",
                       data={"reason": "x"}).status_code == 403
    other_mod = factories.make_user(role="moderator")
    other_mod.avatar_keys = elena.avatar_keys
    db.session.commit()
    login(factories.make_user(role="moderator"))
    assert client.post(f"/mod/members/{other_mod.username}/avatar/reset",
                       data={"reason": "x"}).status_code == 403
    assert client.post("/mod/members/nobody/avatar/reset",
                       data={"reason": "x"}).status_code == 404
