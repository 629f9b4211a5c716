"""Access tokens on the account page: made with a name, scopes and a lifetime, shown once,
stored hashed, listed with when they were last used, revoked."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import ApiToken, utcnow
from forum.services.accounts import tokens
from tests import factories
from tests.api_kit import call


def test_make_a_token_and_see_it_once(client, login, member):
    login(member)
    page = client.post("/account/tokens", data={"name": "Chat bot", "scopes": ["read", "write"],
                                                "lifetime": "30"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = re.search(r'<code id="new-token">(agora_[^<]+)</code>', html).group(1)
    row = db.session.query(ApiToken).one()
    assert row.name == "Chat bot" and row.scopes == "read write"
    assert text.split("_", 2)[2] not in row.secret_hash  # only a hash is kept
    assert row.secret_hash == tokens.secret_hash(text.split("_", 2)[2])
    assert 29 <= (row.expires_at - utcnow()).days <= 30
    again = client.get("/account/tokens").get_data(as_text=True)
    assert "Chat bot" in again and text not in again
    assert call(client, "GET", "/me", text).json["scopes"] == ["read", "write"]
    assert "Last used" in again


@pytest.mark.parametrize("data,message", [
    ({"name": "", "scopes": ["read"], "lifetime": "30"}, "Give the token a name"),
    ({"name": "x" * 81, "scopes": ["read"], "lifetime": "30"}, "at most 80 characters"),
    ({"name": "Bot", "lifetime": "30"}, "Choose at least one scope"),
    ({"name": "Bot", "scopes": ["admin"], "lifetime": "30"}, "Choose scopes from the list"),
    ({"name": "Bot", "scopes": ["moderate"], "lifetime": "30"}, "Only the moderation team"),
    ({"name": "Bot", "scopes": ["read"], "lifetime": "5"}, "Choose how long"),
])
def test_bad_token_forms(client, login, member, data, message):
    login(member)
    response = client.post("/account/tokens", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.query(ApiToken).count() == 0


def test_the_team_may_give_the_moderate_scope(client, login, moderator):
    login(moderator)
    assert "Moderate: the report queue" in client.get("/account/tokens").get_data(as_text=True)
    response = client.post("/account/tokens", data={"name": "Queue", "scopes": ["moderate"],
                                                    "lifetime": "never"})
    assert response.status_code == 200
    assert db.session.query(ApiToken).one().expires_at is None


def test_a_member_is_not_offered_the_moderate_scope(client, login, member):
    login(member)
    assert "Moderate: the report queue" not in client.get("/account/tokens").get_data(
        as_text=True)


def test_at_most_twenty_tokens_in_use(client, login, member):
    for n in range(tokens.ACTIVE_MAX):
        tokens.create(member, f"Tool {n}", ["read"], "30")
    login(member)
    refused = client.post("/account/tokens", data={"name": "One more", "scopes": ["read"],
                                                   "lifetime": "30"})
    assert refused.status_code == 400 and "Revoke one" in refused.get_data(as_text=True)
    # A revoked token doesn't count.
    tokens.revoke(member, db.session.query(ApiToken).first().id)
    assert client.post("/account/tokens", data={"name": "One more", "scopes": ["read"],
                                                "lifetime": "30"}).status_code == 200


def test_revoke(client, login, member):
    issued = tokens.create(member, "Old", ["read"], "30")
    login(member)
    response = client.post(f"/account/tokens/{issued.token.id}/revoke")
    assert response.status_code == 302
    assert "Old" not in client.get("/account/tokens").get_data(as_text=True)
    assert call(client, "GET", "/me", issued.text).status_code == 401
    assert client.post(f"/account/tokens/{issued.token.id}/revoke").status_code == 404


def test_expired_tokens_are_marked(client, login, member):
    tokens.create(member, "Stale", ["read"], "30", now=utcnow() - timedelta(days=40))
    login(member)
    assert "expired" in client.get("/account/tokens").get_data(as_text=True)


def test_last_used_is_written_at_most_once_a_minute(client, member, count_queries):
    issued = tokens.create(member, "Bot", ["read"], "never")
    call(client, "GET", "/me", issued.text)
    db.session.expire_all()
    first = db.session.get(ApiToken, issued.token.id).last_used_at
    assert first is not None
    with count_queries() as queries:
        call(client, "GET", "/me", issued.text)
    assert not any(q.lstrip().upper().startswith("UPDATE API_TOKENS") for q in queries)


def test_another_members_token_stays_theirs(client, member):
    other = factories.make_user()
    theirs = tokens.create(other, "Theirs", ["read"], "30")
    with pytest.raises(Exception, match="doesn't exist"):
        tokens.revoke(member, theirs.token.id)


def test_tokens_are_in_the_members_data_export(member):
    from forum.services import data_export

    tokens.create(member, "Chat bot", ["read", "write"], "never")
    [row] = data_export.export(member)["access_tokens"]
    assert row["name"] == "Chat bot" and row["scopes"] == ["read", "write"]
    assert not any("agora_" in str(value) for value in row.values())
