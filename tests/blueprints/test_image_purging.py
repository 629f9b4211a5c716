"""Moderators see a post's images with its tools and purge them for illegal content."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import ModAction, Post, Upload
from forum.services.content import posting
from forum.services.uploads import uploading
from forum.services.uploads.storage import storage
from tests import factories, image_kit
from tests.factories import text


def _bad_post():
    author = factories.make_established_user()
    thread = factories.make_thread(factories.make_board(), author=factories.make_user())
    upload = uploading.upload_image(author, image_kit.jpeg(), "bad.jpg")
    again = uploading.upload_image(factories.make_user(), image_kit.jpeg(), "again.jpg")
    post = posting.reply(author, thread, f"![bad]({upload.url})")
    return post, upload, again


def test_the_report_item_shows_the_posts_images_in_context(client, login):
    from forum.services.moderation import reports

    post, upload, _again = _bad_post()
    item = reports.file_report(factories.make_user(), post, "spam").item
    login(factories.make_user(role="moderator"))
    html = text(client.get(f"/mod/reports/{item.id}"))
    assert f'<img src="{upload.url}"' in html
    assert client.get(upload.url).status_code == 200


def test_a_deleted_posts_images_are_purged_for_good(client, login):
    post, upload, again = _bad_post()
    moderator = factories.make_user(role="moderator")
    login(moderator)
    tools = text(client.get(f"/mod/posts/{post.id}"))
    assert upload.thumb_url in tools and "delete the post first" in tools
    refused = client.post(f"/mod/posts/{post.id}/purge-images", data={"reason": "Illegal"})
    assert refused.status_code == 409
    posting.delete_post(moderator, db.session.get(Post, post.id), "Illegal content")
    assert client.post(f"/mod/posts/{post.id}/purge-images",
                       data={"reason": ""}).status_code == 400
    response = client.post(f"/mod/posts/{post.id}/purge-images", data={"reason": "Illegal"})
    assert response.status_code == 302
    db.session.expire_all()
    # The same picture uploaded by someone else goes too; the rows stay as the record.
    rows = db.session.scalars(select(Upload).where(Upload.id.in_([upload.id, again.id])))
    assert all(row.purged_at is not None for row in rows)
    assert not storage().exists(upload.display_key)
    assert client.get(upload.url).status_code == 404
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "post.purge_images"))
    assert entry.actor_id == moderator.id and entry.reason == "Illegal"
    assert sorted(entry.after["uploads"]) == sorted([upload.id, again.id])
    assert "Purged" in text(client.get(f"/mod/posts/{post.id}"))
    assert client.post(f"/mod/posts/{post.id}/purge-images",
                       data={"reason": "Again"}).status_code == 409


def test_members_cannot_purge(client, login):
    post, upload, _again = _bad_post()
    login(factories.make_user())
    assert client.post(f"/mod/posts/{post.id}/purge-images",
                       data={"reason": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Upload, upload.id).purged_at is None
