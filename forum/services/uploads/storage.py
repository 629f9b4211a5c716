"""Where the bytes of uploaded images live, behind one small interface.

Keys are "<sha256>.<extension>" of the bytes, so the same image is stored once however many
times it is uploaded, and a key never changes meaning: what is written under it stays
what it was. The local folder is the default; an S3-compatible bucket (``S3_BUCKET``) lets
several hosts serve what any of them stored.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

from ...models import MIME_TYPES

# Avatars live apart ("avatars/<hash>.webp"), so their public address can never hand out
# an image of a post.
_KEY = re.compile(r"^(avatars/)?[0-9a-f]{64}\.(jpg|png|webp|gif)$")


def _checked(key: str) -> str:
    # Keys come from our own hashing; refusing anything else keeps paths out of the folder
    # and the bucket whatever a caller passes.
    if not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one folder, two levels of hash prefix so no folder grows too large."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        key = _checked(key)
        folder, _, name = key.rpartition("/")
        return self.folder / folder / name[:2] / name

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """An S3-compatible bucket through boto3 (AWS, MinIO, Ceph, Garage…)."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None,
                 region: str = "us-east-1", access_key: str | None = None,
                 secret_key: str | None = None) -> None:
        import boto3  # only installations that use a bucket need it

        self.bucket = bucket
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key)

    def put(self, key: str, data: bytes) -> None:
        key = _checked(key)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data,
                               ContentType=MIME_TYPES[key.rsplit(".", 1)[1]])

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_checked(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))


_EXTENSION = "agora_upload_storage"


def storage() -> Storage:
    """The app's storage, built once per app from its configuration."""
    app = current_app
    found = app.extensions.get(_EXTENSION)
    if found is None:
        config = app.config
        if config.get("S3_BUCKET"):
            found = S3Storage(config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL"),
                              region=config.get("S3_REGION") or "us-east-1",
                              access_key=config.get("S3_ACCESS_KEY_ID"),
                              secret_key=config.get("S3_SECRET_ACCESS_KEY"))
        else:
            found = LocalStorage(config["UPLOAD_FOLDER"])
        app.extensions[_EXTENSION] = found
    return found
