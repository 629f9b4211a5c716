"""Uploads in an S3-compatible bucket, against moto's standalone server on 127.0.0.1."""
from __future__ import annotations

import itertools

import pytest

from forum.services.uploads import cleanup, uploading
from forum.services.uploads.storage import S3Storage, storage
from tests import factories, image_kit
from tests.s3_server import moto_server

BUCKET = "agora-uploads"
_buckets = itertools.count(1)
CREDENTIALS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing",
               "S3_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    pytest.importorskip("boto3", reason="boto3 is not installed (pip install -e '.[s3]')")
    with moto_server() as endpoint:
        if endpoint is None:
            pytest.skip("moto's S3 server could not start on 127.0.0.1 "
                        "(pip install 'moto[server]')")
        yield endpoint


@pytest.fixture
def bucket(app, s3_endpoint):
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    # A bucket per test: the server lives for the module.
    name = f"{BUCKET}-{next(_buckets)}"
    client.create_bucket(Bucket=name)
    app.config.update(S3_BUCKET=name, S3_ENDPOINT_URL=s3_endpoint, **CREDENTIALS)
    app.extensions.pop("agora_upload_storage", None)
    yield client, name
    app.extensions.pop("agora_upload_storage", None)


def test_the_bucket_storage_puts_gets_and_deletes(bucket):
    store = storage()
    assert isinstance(store, S3Storage)
    key = "a" * 64 + ".png"
    assert store.get(key) is None and not store.exists(key)
    store.put(key, b"bytes")
    assert store.exists(key) and store.get(key) == b"bytes"
    client, name = bucket
    assert client.head_object(Bucket=name, Key=key)["ContentType"] == "image/png"
    store.delete(key)
    assert not store.exists(key)


def test_an_upload_is_stored_in_the_bucket_and_served_from_it(app, client, bucket):
    maker = factories.make_established_user()
    upload = uploading.upload_image(maker, image_kit.jpeg(), "x.jpg")
    from forum.services.content import posting

    posting.create_thread(maker, factories.make_board(), "Bucket", f"![x]({upload.url})")
    s3, name = bucket
    stored = s3.get_object(Bucket=name, Key=upload.display_key)["Body"].read()
    response = client.get(upload.url)
    assert response.status_code == 200 and response.data == stored


def test_another_host_serves_what_one_host_stored(app, bucket, tmp_path):
    """Two hosts, one database and one bucket, no shared disk: an image uploaded through
    one is served by the other."""
    from forum import create_app
    from forum.services.content import posting

    maker = factories.make_established_user()
    upload = uploading.upload_image(maker, image_kit.png(), "shared.png")
    posting.create_thread(maker, factories.make_board(), "Shared", f"![x]({upload.url})")
    url = upload.url
    other = create_app({**{key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SERVER_NAME", "S3_BUCKET",
        "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION")},
        "INSTANCE_PATH": str(tmp_path / "other-host")})
    response = other.test_client().get(url)
    assert response.status_code == 200
    assert image_kit.opened(response.data).format == "PNG"
    assert not (tmp_path / "other-host" / "uploads").exists()


def test_cleanup_deletes_from_the_bucket(app, bucket):
    from datetime import timedelta

    from forum.models import utcnow

    maker = factories.make_established_user()
    stale = uploading.upload_image(maker, image_kit.webp(), "old.webp",
                                   now=utcnow() - timedelta(days=2))
    key = stale.display_key
    assert storage().exists(key)
    assert cleanup.remove_unreferenced() == 1
    assert not storage().exists(key)
