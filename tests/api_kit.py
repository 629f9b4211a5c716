"""Helpers for API tests: a token for a member, and calls that carry it."""
from __future__ import annotations

from forum.models import User
from forum.services.accounts import tokens

API = "/api/v1"


def token_for(user: User, scopes=("read",), lifetime: str = "never") -> str:
    return tokens.create(user, "test tool", list(scopes), lifetime).text


def auth(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def call(client, method: str, path: str, token: str | None = None, json=None, **kwargs):
    send = getattr(client, method.lower())
    if json is not None:
        kwargs["json"] = json
    return send(API + path, headers={**auth(token), **kwargs.pop("headers", {})}, **kwargs)
