"""New accounts that need approval: the question on the form, the waiting login, the
administrators' list, approving, rejecting, approving many, and who may do it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.errors import Refused
from forum.extensions import db
from forum.models import ModAction, Notification, User
from forum.services.accounts import approvals, invitations
from forum.services.site import settings as site_settings
from tests import factories
from tests.factories import text

PASSWORD = "a brand new password"
QUESTION = "What brings you here?"
WAITS = "Your account waits for approval by the administrators"


def _person(n: int = 1, **extra) -> dict:
    return {"username": f"newbie{n}", "email": f"newbie{n}@example.com", "password": PASSWORD,
            "confirm": PASSWORD, "answer": "I repair old radios.", **extra}


def _user(name: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username_key == name))


def _log_in(client, name: str):
    return client.post("/login", data={"login": name, "password": PASSWORD})


def _logged_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _apply(app, n: int = 1, **extra):
    return app.test_client().post("/register", data=_person(n, **extra),
                                  environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})


@pytest.fixture
def approval(admin):
    site_settings.update(admin, {"registration_needs_approval": True,
                                 "registration_question": QUESTION})


def test_the_form_asks_the_question_and_needs_an_answer(client, approval):
    page = text(client.get("/register"))
    assert f'<label for="answer">{QUESTION}</label>' in page
    assert "An administrator looks at new accounts before they can log in" in page
    response = client.post("/register", data=_person(answer="  "))
    assert response.status_code == 400 and "Please answer the question" in text(response)
    response = client.post("/register", data=_person(answer="x" * 1001))
    assert response.status_code == 400 and "under 1000 characters" in text(response)
    assert _user("newbie1") is None


def test_without_a_question_the_form_asks_none(client, admin):
    site_settings.update(admin, {"registration_needs_approval": True})
    page = text(client.get("/register"))
    assert 'name="answer"' not in page
    assert client.post("/register", data=_person(answer="")).status_code == 302
    assert _user("newbie1").approval_state == "waiting"


def test_a_new_account_waits_and_cannot_log_in(client, approval):
    response = client.post("/register", data=_person(), follow_redirects=True)
    assert "An administrator looks at new accounts before they can log in" in text(response)
    assert not _logged_in(client)
    user = _user("newbie1")
    assert user.approval_state == "waiting"
    assert user.approval_answer == "I repair old radios."
    assert user.approval_address == "127.0.0.1"
    refused = _log_in(client, "newbie1")
    assert refused.status_code == 403 and WAITS in text(refused)
    assert not _logged_in(client)


def test_a_waiting_accounts_session_is_nobodys(client, login, approval):
    waiting = factories.make_user("waiting", approval_state="waiting")
    login(waiting)
    assert not _logged_in(client)


def test_an_invited_person_needs_no_approval(client, admin, approval):
    site_settings.update(admin, {"registration_mode": "invitation"})
    _, code = invitations.create(admin, 3)
    db.session.commit()
    page = text(client.get(f"/register?invite={code}"))
    assert 'name="answer"' not in page
    response = client.post(f"/register?invite={code}", data=_person(answer=""))
    assert response.status_code == 302
    assert _user("newbie1").approval_state is None and _logged_in(client)


def test_the_list_shows_applicants(app, client, login, admin, approval):
    _apply(app, 1)
    _apply(app, 2, answer="Bikes & <b>bells</b>")
    login(admin)
    page = text(client.get("/admin/approvals"))
    assert "2 accounts are waiting." in page
    for expected in ("newbie1", "newbie1@example.com", "I repair old radios.", "192.0.2.1",
                     "Bikes &amp; &lt;b&gt;bells&lt;/b&gt;", "<time"):
        assert expected in page
    assert page.index("newbie1") < page.index("newbie2")  # oldest first


def test_approving_admits_logs_and_notifies(app, client, login, admin, approval):
    _apply(app)
    user = _user("newbie1")
    login(admin)
    response = client.post(f"/admin/approvals/{user.id}/approve", follow_redirects=True)
    assert "newbie1&#39;s account is approved" in text(response)
    user = _user("newbie1")
    assert user.approval_state is None and user.approval_address is None
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "user.approve"))
    assert entry.actor_id == admin.id and entry.target_user_id == user.id
    assert entry.after == {"approval": "approved"}
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == user.id))
    assert note.key == "account.approved"
    member = app.test_client()
    assert _log_in(member, "newbie1").status_code == 302 and _logged_in(member)
    # Deciding again finds nothing waiting.
    assert client.post(f"/admin/approvals/{user.id}/approve").status_code == 404


def test_rejecting_needs_a_reason_and_tells_the_applicant_at_login(app, client, login, admin,
                                                                    approval):
    _apply(app)
    user = _user("newbie1")
    login(admin)
    missing = client.post(f"/admin/approvals/{user.id}/reject", data={"reason": " "})
    assert missing.status_code == 400 and "Please give a reason" in text(missing)
    assert _user("newbie1").approval_state == "waiting"
    response = client.post(f"/admin/approvals/{user.id}/reject",
                           data={"reason": "We only take makers from the valley."})
    assert response.status_code == 302
    user = _user("newbie1")
    assert user.approval_state == "rejected" and user.approval_address is None
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "user.reject"))
    assert entry.reason == "We only take makers from the valley."
    refused = _log_in(app.test_client(), "newbie1")
    assert refused.status_code == 403
    assert "Your request to join was declined: We only take makers from the valley." in (
        text(refused))
    # The name stays taken.
    assert _apply(app, 1).status_code == 400


def test_bulk_approval(app, client, login, admin, approval):
    for n in range(1, 4):
        _apply(app, n)
    ids = [_user(f"newbie{n}").id for n in range(1, 4)]
    login(admin)
    nothing = client.post("/admin/approvals/approve", data={})
    assert nothing.status_code == 400 and "Tick the accounts to approve first" in text(nothing)
    response = client.post("/admin/approvals/approve",
                           data={"user_id": [str(ids[0]), str(ids[2]), "nonsense"]},
                           follow_redirects=True)
    assert "2 accounts approved" in text(response)
    assert [_user(f"newbie{n}").approval_state for n in range(1, 4)] == [None, "waiting", None]
    assert len(db.session.scalars(select(ModAction).where(
        ModAction.action == "user.approve")).all()) == 2


def test_two_administrators_deciding_at_once(app, admin, approval):
    _apply(app)
    user = _user("newbie1")
    other = factories.make_user("second", role="admin")
    approvals.reject(other, user, "Not for us")
    with pytest.raises(Refused) as refused:
        approvals.approve(admin, [user])
    assert refused.value.status == 409
    assert _user("newbie1").approval_state == "rejected"


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_administrators_decide(app, client, login, approval, role):
    _apply(app)
    user = _user("newbie1")
    viewer = factories.make_user(f"a{role}", role=role)
    with pytest.raises(Refused) as refused:
        approvals.approve(viewer, [user])
    assert refused.value.status == 403
    with pytest.raises(Refused):
        approvals.reject(viewer, user, "No")
    login(viewer)
    assert client.get("/admin/approvals").status_code == 403
    assert client.post(f"/admin/approvals/{user.id}/approve").status_code == 403
    assert _user("newbie1").approval_state == "waiting"


def test_an_applicant_is_not_listed_nor_shown_until_approved(client, login, app, approval,
                                                             admin, member):
    assert _apply(app).status_code == 302
    login(member)
    assert "newbie1" not in text(client.get("/members"))
    assert client.get("/u/newbie1").status_code == 404
    login(admin)
    assert client.get("/u/newbie1").status_code == 200  # administrators see who applied
    approvals.approve(admin, [_user("newbie1")])
    login(member)
    assert "newbie1" in text(client.get("/members"))
    assert client.get("/u/newbie1").status_code == 200
