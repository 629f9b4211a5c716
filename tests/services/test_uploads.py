"""Uploading images: re-encoding, refusals, limits, storage by content, cleanup."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from forum.errors import InvalidField, Refused
from forum.extensions import db
from forum.models import Access, Upload, utcnow
from forum.services.content import posting
from forum.services.conversations import writing
from forum.services.site import timers
from forum.services.uploads import cleanup, storage, uploading
from forum.stores import settings as settings_store
from tests import factories, image_kit
from tests.services.moderation_kit import race


@pytest.fixture
def author(app):
    return factories.make_established_user(username="maker")


def _stored(upload: Upload, thumb: bool = False) -> bytes:
    return storage.storage().get(upload.thumb_key if thumb else upload.display_key)


def _files(app) -> list:
    folder = storage.storage().folder
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def test_a_jpeg_is_re_encoded_without_its_metadata(author):
    upload = uploading.upload_image(author, image_kit.jpeg(exif=image_kit.gps_exif()),
                                    "workbench.jpg")
    data = _stored(upload)
    image = image_kit.opened(data)
    assert image.format == "JPEG"
    assert not dict(image.getexif())
    assert b"SecretCam" not in data
    assert upload.name == "workbench"
    assert (upload.width, upload.height) == (64, 48)
    thumb = image_kit.opened(_stored(upload, thumb=True))
    assert max(thumb.size) <= 320


def test_the_orientation_is_applied_to_the_pixels(author):
    # Orientation 6: the camera was turned; the picture is shown rotated a quarter turn.
    upload = uploading.upload_image(author, image_kit.jpeg(64, 48, orientation=6), "turned.jpg")
    image = image_kit.opened(_stored(upload))
    assert image.size == (48, 64)
    assert image.getexif().get(0x0112) is None


def test_large_images_are_bounded_for_display(author):
    upload = uploading.upload_image(author, image_kit.jpeg(3200, 1000), "wide.jpg")
    assert (upload.width, upload.height) == (1600, 500)
    assert image_kit.opened(_stored(upload)).size == (1600, 500)


def test_png_text_chunks_are_dropped(author):
    upload = uploading.upload_image(author, image_kit.png(text="my home address"), "a.png")
    data = _stored(upload)
    assert b"my home address" not in data
    assert image_kit.opened(data).format == "PNG"


def test_webp_stays_webp(author):
    upload = uploading.upload_image(author, image_kit.webp(), "a.webp")
    assert upload.display_key.endswith(".webp")
    assert image_kit.opened(_stored(upload)).format == "WEBP"


def test_an_animated_gif_keeps_its_frames_not_its_comment(author):
    upload = uploading.upload_image(author, image_kit.gif(frames=5), "blink.gif")
    data = _stored(upload)
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF" and image.n_frames == 5
    assert b"secret comment" not in data
    assert upload.thumb_key.endswith(".png")


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.jpg", "empty"),
    (image_kit.huge_header_jpeg(), "bomb.jpg", "too many pixels"),
    (image_kit.html_as_png(), "page.png", "isn't an image"),
    (image_kit.svg(), "drawing.svg", "isn't an image"),
    (image_kit.gif(frames=1000), "flicker.gif", "too many frames"),
    (image_kit.jpeg()[:200], "cut.jpg", "isn't an image"),
    (image_kit.jpeg(), "../../etc/passwd.jpg", "file name"),
    (image_kit.jpeg(), "photo\x00.php", "file name"),
    (image_kit.jpeg(), "..\\boot.jpg", "file name"),
])
def test_bad_files_are_refused_and_nothing_is_stored(app, author, data, name, message):
    with pytest.raises(InvalidField) as refused:
        uploading.upload_image(author, data, name)
    assert refused.value.status == 400
    assert message in refused.value.reason
    assert db.session.scalar(select(func.count(Upload.id))) == 0
    assert _files(app) == []


def test_a_file_over_the_setting_is_refused_with_413(app, author):
    settings_store.clear_cache()
    fifty_mb = b"\xff\xd8\xff" + bytes(50 * 1024 * 1024)
    with pytest.raises(InvalidField) as refused:
        uploading.upload_image(author, fifty_mb, "big.jpg")
    assert refused.value.status == 413
    assert "at most 8 MB" in refused.value.reason
    assert db.session.scalar(select(func.count(Upload.id))) == 0


def test_the_same_picture_is_stored_once(app, author, other_member):
    data = image_kit.jpeg()
    first = uploading.upload_image(author, data, "one.jpg")
    second = uploading.upload_image(other_member, data, "two.jpg")
    assert first.id != second.id
    assert first.display_key == second.display_key
    # One display file and one thumbnail (the same file when the picture is thumbnail-sized).
    assert len(_files(app)) == len({first.display_key, first.thumb_key})


def test_guests_and_timed_out_members_cannot_upload(app, author):
    from forum.services.moderation import sanctions

    with pytest.raises(Refused) as refused:
        uploading.upload_image(None, image_kit.jpeg(), "x.jpg")
    assert refused.value.login_required

    chief = factories.make_user(role="admin")
    sanctions.timeout(chief, author, "Cool down", timedelta(hours=1))
    with pytest.raises(Refused):
        uploading.upload_image(author, image_kit.jpeg(), "x.jpg")


def test_the_day_limit_is_stricter_for_new_members(app, author):
    newcomer = factories.make_user(username="newcomer")
    settings_store.clear_cache()
    app.config["MEMBER_COOLDOWNS"] = True
    limit = settings_store.get("new_member_uploads_per_day")
    for index in range(limit):
        uploading.upload_image(newcomer, image_kit.jpeg(colour=(index, 1, 1)), f"{index}.jpg")
    with pytest.raises(Refused) as refused:
        uploading.upload_image(newcomer, image_kit.jpeg(colour=(99, 1, 1)), "more.jpg")
    assert refused.value.status == 429 and refused.value.retry_after
    # An established member is held to the larger limit.
    uploading.upload_image(author, image_kit.jpeg(colour=(99, 1, 1)), "more.jpg")


def test_the_quota_counts_stored_bytes(app, author):
    from forum.services.site import settings as site_settings

    site_settings.update(factories.make_user(role="admin"), {"upload_quota_mb": 1})
    settings_store.clear_cache()
    db.session.add(Upload(owner_id=author.id, display_key="a" * 64 + ".jpg",
                          thumb_key="b" * 64 + ".jpg", width=1, height=1,
                          stored_bytes=1024 * 1024, name="old"))
    db.session.commit()
    with pytest.raises(Refused) as refused:
        uploading.upload_image(author, image_kit.jpeg(), "x.jpg")
    assert refused.value.status == 403 and "1 MB" in refused.value.reason


def test_uploads_sent_at_once_stop_exactly_at_the_day_limit(app):
    from forum.services.site import settings as site_settings

    site_settings.update(factories.make_user(role="admin"), {"uploads_per_day": 2})
    maker = factories.make_established_user(username="racer")
    maker_id = maker.id
    app.config["MEMBER_COOLDOWNS"] = True

    def job(index):
        def load():
            from forum.models import User

            user = db.session.get(User, maker_id)
            data = image_kit.jpeg(colour=(index, 9, 9))
            return lambda: uploading.upload_image(user, data, f"{index}.jpg").id
        return load

    results = race(app, *(job(index) for index in range(4)))
    stored = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(stored) == 2
    assert all(isinstance(error, Refused) and error.status == 429 for error in refused)
    assert db.session.scalar(select(func.count(Upload.id))) == 2


def test_a_post_that_shows_an_upload_takes_it(app, author):
    board = factories.make_board()
    upload = uploading.upload_image(author, image_kit.jpeg(), "x.jpg")
    other = uploading.upload_image(factories.make_user(), image_kit.png(), "y.png")
    thread = posting.create_thread(author, board, "Build log",
                                   f"Look: ![x]({upload.url}) and ![y]({other.url})")
    db.session.expire_all()
    assert upload.post is not None and upload.post.thread_id == thread.id
    # Someone else's upload stays theirs: showing it does not take it.
    assert other.post_id is None


def test_an_edit_that_adds_an_upload_takes_it(app, author):
    thread = factories.make_thread(factories.make_board(), author=author)
    post = factories.make_post(thread, author=author, body="Soon a picture.")
    upload = uploading.upload_image(author, image_kit.jpeg(), "x.jpg")
    posting.edit_post(author, post, f"Here: ![x]({upload.thumb_url})")
    db.session.expire_all()
    assert upload.post_id == post.id


def test_a_message_that_shows_an_upload_takes_it(app, author, other_member):
    upload = uploading.upload_image(author, image_kit.jpeg(), "x.jpg")
    conversation = writing.start(author, other_member.username, "Parts",
                                 f"![x]({upload.url})")
    db.session.expire_all()
    assert upload.message_id is not None
    assert upload.message.conversation_id == conversation.id


def test_a_post_may_show_so_many_uploads(app, author):
    from forum.services.site import settings as site_settings

    site_settings.update(factories.make_user(role="admin"), {"uploads_per_post": 1})
    settings_store.clear_cache()
    first = uploading.upload_image(author, image_kit.jpeg(), "x.jpg")
    second = uploading.upload_image(author, image_kit.png(), "y.png")
    with pytest.raises(Refused) as refused:
        posting.create_thread(author, factories.make_board(), "Two",
                              f"![x]({first.url}) ![y]({second.url})")
    assert refused.value.status == 400 and "at most 1" in refused.value.reason


def test_unreferenced_uploads_go_after_a_day(app, author):
    now = utcnow()
    kept = uploading.upload_image(author, image_kit.jpeg(), "kept.jpg",
                                  now=now - timedelta(days=2))
    factories.make_post(factories.make_thread(factories.make_board(), author=author),
                        author=author, body=f"![k]({kept.url})")
    stale = uploading.upload_image(author, image_kit.png(), "stale.png",
                                   now=now - timedelta(days=2))
    fresh = uploading.upload_image(author, image_kit.webp(), "fresh.webp", now=now)
    shared = uploading.upload_image(factories.make_user(), image_kit.png(), "same.png",
                                    now=now)
    stale_id = stale.id
    done = timers.run_timers(now)
    assert done.uploads_removed == 1
    assert db.session.get(Upload, stale_id) is None
    assert {kept.id, fresh.id, shared.id} <= set(db.session.scalars(select(Upload.id)))
    # The stale upload's picture is also someone else's fresh one: the files stay.
    assert storage.storage().exists(shared.display_key)
    assert cleanup.remove_unreferenced(now) == 0


def test_an_unreferenced_upload_takes_its_files_along(app, author):
    now = utcnow()
    stale = uploading.upload_image(author, image_kit.png(), "stale.png",
                                   now=now - timedelta(days=2))
    keys = (stale.display_key, stale.thumb_key)
    assert cleanup.remove_unreferenced(now) == 1
    assert not any(storage.storage().exists(key) for key in keys)
    assert _files(app) == []


def test_an_upload_in_a_post_waiting_for_approval_is_kept(app, author):
    """The post that shows it may wait days for a moderator: its image waits with it, and is
    linked to the post once approved."""
    from forum.models import PendingPost
    from forum.services.content import approving

    now = utcnow()
    waiting = uploading.upload_image(author, image_kit.png(), "wait.png",
                                     now=now - timedelta(days=2))
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user())
    author.always_review = True
    db.session.commit()
    pending = posting.reply(author, thread, f"Look: ![w]({waiting.url})")
    assert isinstance(pending, PendingPost)
    assert cleanup.remove_unreferenced(now) == 0
    assert db.session.get(Upload, waiting.id) is not None
    approving.approve(factories.make_user(role="moderator"), pending)
    db.session.expire_all()
    assert db.session.get(Upload, waiting.id).post_id is not None
    assert cleanup.remove_unreferenced(now + timedelta(days=3)) == 0


def test_storage_keys_are_hashes_only(app):
    with pytest.raises(ValueError):
        storage.storage().get("../../secret_key")
    with pytest.raises(ValueError):
        storage.storage().put("a" * 64 + ".svg", b"<svg/>")


def test_members_only_boards_are_not_public(app, author):
    from forum.policy import Policy

    board = factories.make_board(access=Access.MEMBERS)
    upload = uploading.upload_image(author, image_kit.jpeg(), "x.jpg")
    posting.create_thread(author, board, "Inside", f"![x]({upload.url})")
    db.session.expire_all()
    assert not Policy(None).is_public_upload(upload)


def test_the_data_export_lists_the_members_uploads(app, author):
    from forum.services import data_export

    upload = uploading.upload_image(author, image_kit.jpeg(), "bench.jpg")
    uploading.upload_image(factories.make_user(), image_kit.png(), "theirs.png")
    rows = data_export.export(author)["uploads"]
    assert [(row["id"], row["name"], row["url"]) for row in rows] == [
        (upload.id, "bench", upload.url)]
