"""Appeals against sanctions: once per sanction (also when two are sent at once), the text's
limits, from the login refusal only with the right password, each decision with its log entry
and notification, and never by the sanction's own issuer."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, Refused
from forum.extensions import db
from forum.models import Appeal, AppealStatus, ModAction, Notification, Sanction, utcnow
from forum.services.moderation import appeals, sanctions
from tests import factories
from tests.factories import PASSWORD


def _text(response) -> str:
    return response.get_data(as_text=True)


def _appeals() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Appeal))


@pytest.fixture
def chief(app):
    return factories.make_user(username="chief", role="moderator")


@pytest.fixture
def timeout(chief, member):
    return sanctions.timeout(chief, member, "Spam", timedelta(hours=6))


def _refusal_token(client, login="member", password=PASSWORD):
    response = client.post("/login", data={"login": login, "password": password})
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', _text(response))
    return response, match.group(1) if match else None


# -- the member's side ---------------------------------------------------------------------------
def test_a_timed_out_member_appeals_once(client, login, member, timeout):
    login(member)
    page = _text(client.get("/account/sanctions"))
    assert "Spam" in page and f"appeal-{timeout.id}-body" in page
    field = f"appeal-{timeout.id}-body"
    sent = client.post(f"/account/sanctions/{timeout.id}/appeal", data={field: "I only "
                                                                          "posted once."})
    assert sent.status_code == 302 and _appeals() == 1
    again = client.post(f"/account/sanctions/{timeout.id}/appeal", data={field: "Again"})
    assert again.status_code == 409 and "already appealed" in _text(again)
    assert _appeals() == 1
    assert "the decision is still open" in _text(client.get("/account/sanctions"))


@pytest.mark.parametrize(("body", "status", "message"), [
    ("", 400, "Please write your appeal."),
    ("   \n ", 400, "Please write your appeal."),
    ("x" * 2001, 400, "at most 2,000 characters"),
])
def test_appeal_text_limits(client, login, member, timeout, body, status, message):
    login(member)
    response = client.post(f"/account/sanctions/{timeout.id}/appeal",
                           data={f"appeal-{timeout.id}-body": body})
    assert response.status_code == status and message in _text(response)
    assert _appeals() == 0


def test_the_longest_appeal_fits(member, timeout):
    appeal = appeals.submit(member, timeout, "x" * appeals.BODY_MAX)
    assert len(appeal.body) == 2000


def test_warnings_and_ended_sanctions_are_not_appealed(member, chief, timeout):
    warning = sanctions.warn(chief, member, "Tone")
    with pytest.raises(Refused) as refused:
        appeals.submit(member, warning, "Please")
    assert refused.value.status == 400
    sanctions.lift(chief, timeout, "Mistake")
    with pytest.raises(Conflict):
        appeals.submit(member, timeout, "Please")


def test_two_appeals_sent_at_once_make_one(app, member, timeout):
    from forum.services.accounts import logins

    logins.start(member, False, "127.0.0.1", None)  # one browser's login, shared by four
    db.session.commit()
    url, field, user_id = (f"/account/sanctions/{timeout.id}/appeal",
                           f"appeal-{timeout.id}-body", member.get_id())
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        with client.session_transaction() as stored:
            stored["_user_id"] = user_id
            stored["_fresh"] = True
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client, n: int) -> None:
        barrier.wait(30)
        statuses.append(client.post(url, data={field: f"Appeal {n}"}).status_code)

    workers = [threading.Thread(target=send, args=(client, n))
               for n, client in enumerate(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(statuses) == [302, 409, 409, 409], statuses
    assert _appeals() == 1


# -- from the login refusal ------------------------------------------------------------------------
def test_a_suspended_member_appeals_from_the_login_refusal(client, member, chief):
    suspension = sanctions.suspend(chief, member, "Flooding", utcnow() + timedelta(days=3))
    response, token = _refusal_token(client)
    assert response.status_code == 403 and "suspended" in _text(response) and token
    sent = client.post("/login/appeal", data={"token": token, "body": "It was a script bug."})
    assert sent.status_code == 200 and "Appeal sent" in _text(sent)
    appeal = db.session.scalar(select(Appeal))
    assert appeal.sanction_id == suspension.id and appeal.user_id == member.id
    # Still not logged in, and the next refusal shows the appeal instead of the form.
    with client.session_transaction() as stored:
        assert "_user_id" not in stored
    response, token = _refusal_token(client)
    assert token is None and "You appealed this sanction" in _text(response)
    again = client.post("/login/appeal", data={"token": _token_for(member, suspension),
                                               "body": "Again"})
    assert again.status_code == 409 and _appeals() == 1


def _token_for(member, sanction) -> str:
    return appeals.login_token(member, sanction)


def test_no_appeal_form_without_the_right_password(client, member, chief):
    sanctions.ban(chief, member, "Spam bot")
    response, token = _refusal_token(client, password="wrong password")
    assert response.status_code == 400 and token is None
    assert "banned" not in _text(response)
    response, token = _refusal_token(client, login="nobody")
    assert token is None
    forged = client.post("/login/appeal", data={"token": "x.y.z", "body": "Let me in"})
    assert forged.status_code == 400 and _appeals() == 0


def test_the_refusal_token_expires_and_is_spent_by_a_password_change(client, app, member,
                                                                      chief, monkeypatch):
    ban = sanctions.ban(chief, member, "Spam bot")
    _response, token = _refusal_token(client)
    monkeypatch.setattr(appeals, "LOGIN_TOKEN_SECONDS", -1)
    expired = client.post("/login/appeal", data={"token": token, "body": "Please"})
    assert expired.status_code == 410
    monkeypatch.undo()
    member.password_hash = "changed"  # as a password change does
    db.session.commit()
    spent = client.post("/login/appeal", data={"token": token, "body": "Please"})
    assert spent.status_code == 400 and _appeals() == 0
    assert ban.id


# -- the moderators' side ----------------------------------------------------------------------
def _decide(client, appeal, outcome, message="Looked at it again.", ends_at=""):
    prefix = f"decide-{appeal.id}"
    return client.post(f"/mod/appeals/{appeal.id}/decide",
                       data={f"{prefix}-outcome": outcome, f"{prefix}-message": message,
                             f"{prefix}-ends_at": ends_at})


def _notified(member) -> Notification:
    return db.session.scalar(select(Notification).where(Notification.recipient_id == member.id)
                             .order_by(Notification.id.desc()))


def test_the_list_shows_open_appeals_first(client, login, member, timeout, moderator):
    other = factories.make_user(username="other")
    older = sanctions.timeout(moderator, other, "Rude", timedelta(hours=2))
    decided = appeals.submit(other, older, "Sorry")
    appeals.decide(factories.make_user(role="admin"), decided, "upheld", "Stays.")
    appeals.submit(member, timeout, "Please look again")
    login(moderator)
    page = _text(client.get("/mod/appeals"))
    assert page.index("Please look again") < page.index("Stays.")
    assert "Spam" in page and "chief" in page.lower()


def test_uphold(client, login, member, timeout, moderator):
    appeal = appeals.submit(member, timeout, "Please")
    login(moderator)
    assert _decide(client, appeal, "upheld", "It stays.").status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.UPHELD
    sanction = db.session.get(Sanction, timeout.id)
    assert sanction.lifted_at is None and sanction.ends_at == timeout.ends_at
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "appeal.uphold"))
    assert entry.actor_id == moderator.id and entry.reason == "It stays."
    assert entry.target_user_id == member.id
    note = _notified(member)
    assert note.key == "appeal.upheld" and note.params["message"] == "It stays."


def test_reduce(client, login, member, timeout, moderator):
    appeal = appeals.submit(member, timeout, "Please")
    login(moderator)
    later = (timeout.ends_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    too_late = _decide(client, appeal, "reduced", ends_at=later)
    assert too_late.status_code == 400 and "before the current one" in _text(too_late)
    assert _decide(client, appeal, "reduced").status_code == 400  # no new end
    sooner = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    response = _decide(client, appeal, "reduced", "Shorter.", sooner.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Sanction, timeout.id).ends_at == sooner
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "appeal.reduce"))
    assert entry.after["ends_at"] == sooner.isoformat()
    assert _notified(member).key == "appeal.reduced"


def test_lift(client, login, member, chief, moderator):
    suspension = sanctions.suspend(chief, member, "Flooding", utcnow() + timedelta(days=3))
    appeal = appeals.submit(member, suspension, "Please")
    login(moderator)
    assert _decide(client, appeal, "lifted", "Our mistake.").status_code == 302
    db.session.expire_all()
    lifted = db.session.get(Sanction, suspension.id)
    assert lifted.lifted_at is not None and lifted.lifted_by_id == moderator.id
    assert db.session.scalar(select(ModAction).where(ModAction.action == "appeal.lift"))
    assert _notified(member).key == "appeal.lifted"
    # The member can log in again.
    client.post("/logout")
    response = client.post("/login", data={"login": "member", "password": PASSWORD})
    assert response.status_code == 302


def test_a_decided_appeal_is_not_decided_again(client, login, member, timeout, moderator):
    appeal = appeals.submit(member, timeout, "Please")
    login(moderator)
    assert _decide(client, appeal, "upheld").status_code == 302
    assert _decide(client, appeal, "lifted").status_code in (400, 409)
    db.session.expire_all()
    assert db.session.get(Sanction, timeout.id).lifted_at is None


def test_the_issuer_never_decides(client, login, member, timeout, chief):
    appeal = appeals.submit(member, timeout, "Please")
    login(chief)
    page = _text(client.get("/mod/appeals"))
    assert f"decide-{appeal.id}-message" not in page  # no form, no button
    assert "another moderator decides" in page
    refused = _decide(client, appeal, "lifted")
    assert refused.status_code == 403 and "another moderator decides" in _text(refused)
    with pytest.raises(Refused):
        appeals.decide(chief, appeal, "lifted", "Mine")
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.OPEN
    assert db.session.get(Sanction, timeout.id).lifted_at is None


def test_bad_decisions(client, login, member, timeout, moderator):
    appeal = appeals.submit(member, timeout, "Please")
    login(moderator)
    assert _decide(client, appeal, "pardoned").status_code == 400
    assert _decide(client, appeal, "upheld", message="").status_code == 400
    assert _decide(client, appeal, "upheld", message="x" * 2001).status_code == 400
    assert client.post("/mod/appeals/999/decide").status_code == 404


def test_appeals_pages_in_german(client, login, member, timeout, moderator):
    appeals.submit(member, timeout, "Bitte")
    for viewer in (member, moderator):
        viewer.language = "de"
    db.session.commit()
    login(member)
    assert "Sanktionen" in _text(client.get("/account/sanctions")) or "Einspruch" in _text(
        client.get("/account/sanctions"))
    login(moderator)
    assert "Einsprüche" in _text(client.get("/mod/appeals"))


def test_the_list_costs_the_same_for_more_appeals(client, login, member, timeout, moderator,
                                                  count_queries):
    appeals.submit(member, timeout, "Please")
    login(moderator)
    client.get("/mod/appeals")

    def cost() -> int:
        db.session.expire_all()
        with count_queries() as queries:
            assert client.get("/mod/appeals").status_code == 200
        return len(queries)

    few = cost()
    for n in range(4):
        someone = factories.make_user(username=f"someone{n}")
        appeals.submit(someone, sanctions.timeout(moderator, someone, "Spam",
                                                  timedelta(hours=1)), "Please")
    assert cost() == few
