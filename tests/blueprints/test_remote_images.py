"""Images linked from other sites wait behind a placeholder until the reader asks."""
from __future__ import annotations

import re

from forum.extensions import db
from forum.services.content import posting
from forum.services.uploads import uploading
from tests import factories, image_kit
from tests.factories import text

REMOTE = "https://tracker.example.net/pixel.png?who=me&amp;x=1"


def _thread(author):
    upload = uploading.upload_image(author, image_kit.jpeg(), "own.jpg")
    thread = posting.create_thread(
        author, factories.make_board(), "Photos",
        f"![my bench]({upload.url})\n\n![their board](https://tracker.example.net/pixel.png"
        "?who=me&x=1)")
    return thread, upload


def test_remote_images_are_a_placeholder_with_the_sites_name(client, member):
    thread, upload = _thread(member)
    html = text(client.get(f"/t/{thread.id}"))
    assert f'<img src="{REMOTE}"' not in html and "tracker.example.net/pixel.png\"" not in html
    assert "Image from tracker.example.net" in html
    link = re.search(r'<a class="remote-image-load" href="([^"]+)"[^>]*>Load image</a>', html)
    assert link and link[1] == REMOTE
    # The forum's own uploads show as they are.
    assert f'<img src="{upload.url}" alt="my bench"' in html
    assert "js/remote-images.js" in html


def test_members_may_choose_to_always_load_them(client, login, member):
    thread, _upload = _thread(member)
    reader = login(factories.make_user())
    before = text(client.get(f"/t/{thread.id}"))
    assert "Image from tracker.example.net" in before
    assert "Always load them" in text(client.get("/account/profile"))
    response = client.post("/account/remote-images", data={"load": "always"})
    assert response.status_code == 302
    db.session.expire_all()
    assert reader.load_remote_images
    after = text(client.get(f"/t/{thread.id}"))
    assert f'src="{REMOTE}"' in after and "Image from" not in after
    # A guest reading the same page at the same time still gets the placeholder.
    assert "Image from tracker.example.net" in text(client.application.test_client().get(
        f"/t/{thread.id}"))
    client.post("/account/remote-images", data={"load": "ask"})
    db.session.expire_all()
    assert not reader.load_remote_images


def test_the_server_never_fetches_remote_images(app, client, member, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the server tried to connect somewhere")

    thread, _upload = _thread(member)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert client.get(f"/t/{thread.id}").status_code == 200


def test_hold_back_leaves_local_images_and_escapes_the_site():
    from forum.common import remote_images

    html = ('<p><img alt="a" src="/uploads/1/0123456789abcdef.jpg">'
            '<img alt="b&lt;" src="https://ex.org/b.png"></p>')
    out = remote_images.hold_back(html, lambda site: f"From {site}", "Load")
    assert '<img alt="a" src="/uploads/1/0123456789abcdef.jpg">' in out
    assert "From ex.org" in out and 'href="https://ex.org/b.png"' in out
    assert '<span class="remote-image-alt">b&lt;</span>' in out
    assert "<img" not in out.split("</p>")[0].split("0123456789abcdef.jpg\">")[1]
