"""The forum's identity on every page, the rules and privacy pages, accepting them, the
register page in each registration mode, and invitations over HTTP."""
from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from forum.extensions import db
from forum.models import Invitation, ModAction, Post, SiteDocument, User
from forum.services.accounts import invitations
from forum.services.site import documents
from forum.services.site import settings as site_settings
from forum.stores import settings
from tests import factories
from tests.blueprints.test_index import INDEX_BUDGET
from tests.factories import text

PASSWORD = "a brand new password"


def _person(n: int = 1, **extra) -> dict:
    return {"username": f"newbie{n}", "email": f"newbie{n}@example.com", "password": PASSWORD,
            "confirm": PASSWORD, **extra}


def _user(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.username_key == name))


def _log(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


# -- identity --------------------------------------------------------------------------------
def test_name_tagline_and_contact_show_on_every_page(client, admin):
    site_settings.update(admin, {"forum_name": "Makers' Hall", "tagline": "Solder & share",
                                 "contact_email": "team@example.org"})
    for url in ("/", "/login", "/rules"):
        html = text(client.get(url))
        assert "<span>Makers&#39; Hall</span>" in html
        assert '<p class="brand-tagline">Solder &amp; share</p>' in html
        assert re.search(r"<title>[^<]*· Makers&#39; Hall</title>|<title>Makers&#39; Hall</title>",
                         html), url
        assert 'href="mailto:team@example.org"' in html
        assert 'href="/rules"' in html and 'href="/privacy"' in html


def test_guests_see_times_in_the_default_zone(client, admin):
    board = factories.make_board()
    thread = factories.make_thread(board, author=admin, title="Zoned")
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    db.session.execute(update(Post).where(Post.thread_id == thread.id).values(created_at=moment))
    db.session.commit()
    site_settings.update(admin, {"default_timezone": "Asia/Tokyo"})
    html = text(client.get(f"/t/{thread.id}"))
    assert "1 Jul 2026, 21:00" in html  # noon UTC is 21:00 in Tokyo


# -- the documents ---------------------------------------------------------------------------
def test_document_pages(client, admin):
    assert "Nothing has been published here yet." in text(client.get("/privacy"))
    documents.publish(admin, "rules", "## Be kind\n\n<b>raw</b>")
    response = client.get("/rules")
    html = text(response)
    assert response.status_code == 200
    assert "<h1>Community rules</h1>" in html and "<h2>Be kind</h2>" in html
    assert "<b>raw</b>" not in html and "Version 1" in html


def test_admin_edits_a_document_and_members_are_asked_again(client, login, admin, member):
    login(admin)
    assert client.get("/admin/pages").status_code == 200
    page = client.get("/admin/pages/rules")
    assert page.status_code == 200 and '<textarea' in text(page)
    response = client.post("/admin/pages/rules", data={"body": "Be kind.\r\n"})
    assert response.status_code == 302
    assert "Published version 1" in text(client.get("/admin/pages/rules"))
    assert client.post("/admin/pages/rules", data={"body": "Be kind."}).status_code == 302
    assert "unchanged" in text(client.get("/admin/pages/rules"))
    assert len(_log("document.publish")) == 1

    login(member)
    board = factories.make_board()
    thread = factories.make_thread(board, author=admin)
    html = text(client.get("/"))
    assert "please <a href=\"/accept\">read and accept them</a>" in html
    # Reading works; posting is refused with the reason, the draft is not lost on a 403.
    assert client.get(f"/t/{thread.id}").status_code == 200
    refused = client.post(f"/t/{thread.id}/reply", data={"body": "Hello"})
    assert refused.status_code == 403 and "accept" in text(refused)
    page = client.get("/accept")
    assert page.status_code == 200 and "Community rules</a>, version 1" in text(page)
    assert client.post("/accept", data={"rules_version": "1",
                                        "privacy_version": "0"}).status_code == 302
    db.session.expire_all()
    assert _user("member").rules_version == 1
    assert "read and accept them" not in text(client.get("/"))
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Hello"}).status_code == 302


@pytest.mark.parametrize("body, status, message", [
    ("", 400, "needs some text"),
    ("x" * (documents.DOCUMENT_MAX + 1), 400, "under 50,000 characters"),
])
def test_bad_document_texts(client, login, admin, body, status, message):
    login(admin)
    response = client.post("/admin/pages/privacy", data={"body": body})
    assert response.status_code == status and message in text(response)
    assert db.session.scalar(select(SiteDocument)) is None


def test_unknown_document_is_404(client, login, admin):
    login(admin)
    assert client.get("/admin/pages/terms").status_code == 404
    assert client.post("/admin/pages/terms", data={"body": "x"}).status_code == 404


def test_accept_needs_login(client):
    response = client.get("/accept")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_with_a_pending_acceptance_keep_their_query_budget(client, login, admin, member,
                                                                 count_queries):
    documents.publish(admin, "rules", "Be kind.")
    factories.make_board()
    login(member)
    for attempt in ("first request", "later request"):
        with count_queries() as queries:
            response = client.get("/")
        assert response.status_code == 200
        assert "read and accept them" in text(response)
        assert len(queries) <= INDEX_BUDGET, (attempt, queries)


# -- registering -----------------------------------------------------------------------------
def test_registering_requires_accepting_once_documents_exist(client, admin):
    assert "I accept the" not in text(client.get("/register"))
    documents.publish(admin, "rules", "Be kind.")
    settings.clear_cache()
    html = text(client.get("/register"))
    assert 'href="/rules"' in html and "I accept the" in html
    refused = client.post("/register", data=_person(1))
    assert refused.status_code == 400
    assert "Please tick the box to accept" in text(refused)
    assert _user("newbie1") is None
    assert 'name="rules_version" type="hidden" value="1"' in html
    assert client.post("/register", data=_person(1, accept="y", rules_version="1",
                                                 privacy_version="0")).status_code == 302
    assert _user("newbie1").rules_version == 1


def test_registering_accepts_only_the_versions_the_page_showed(client, admin):
    documents.publish(admin, "rules", "Be kind.")
    settings.clear_cache()
    shown = _person(1, accept="y", rules_version="1", privacy_version="0")
    documents.publish(admin, "rules", "Be kind, and brief.")
    settings.clear_cache()
    refused = client.post("/register", data=shown)
    assert refused.status_code == 400 and _user("newbie1") is None
    html = text(refused)
    assert "changed while you were reading" in html
    # The page offers the new version, to be ticked again.
    assert 'name="rules_version" type="hidden" value="2"' in html
    accept_box = re.search(r'<input[^>]*name="accept"[^>]*>', html).group(0)
    assert "checked" not in accept_box
    for garbled in ("", "two", "9" * 40):
        assert client.post("/register", data={**shown, "rules_version": garbled}
                           ).status_code == 400
    assert client.post("/register", data={**shown, "rules_version": "2"}).status_code == 302
    assert _user("newbie1").rules_version == 2


def test_accepting_again_records_only_the_versions_the_page_showed(client, login, admin,
                                                                    member):
    documents.publish(admin, "rules", "Be kind.")
    settings.clear_cache()
    login(member)
    page = text(client.get("/accept"))
    assert 'name="rules_version" value="1"' in page
    documents.publish(admin, "rules", "Be kind, and brief.")
    settings.clear_cache()
    stale = client.post("/accept", data={"rules_version": "1", "privacy_version": "0"})
    assert stale.status_code == 409
    assert "changed while you were reading" in text(stale)
    assert 'name="rules_version" value="2"' in text(stale)
    db.session.expire_all()
    assert not _user("member").rules_version
    assert client.post("/accept", data={"rules_version": "x"}).status_code == 409
    assert client.post("/accept", data={"rules_version": "2",
                                        "privacy_version": "0"}).status_code == 302
    db.session.expire_all()
    assert _user("member").rules_version == 2


def test_closed_registration(client, admin):
    assert ">Sign up</a>" in text(client.get("/")) and "Create an account" in text(
        client.get("/login"))
    site_settings.update(admin, {"registration_mode": "closed"})
    # Nobody is sent to a form they can't use.
    assert ">Sign up</a>" not in text(client.get("/"))
    assert "Create an account" not in text(client.get("/login"))
    page = client.get("/register")
    assert page.status_code == 200 and "Registration is closed" in text(page)
    assert "<form class=\"form\"" not in text(page)
    response = client.post("/register", data=_person(1))
    assert response.status_code == 403 and "Registration is closed" in text(response)
    assert _user("newbie1") is None


def test_registering_by_invitation(client, login, admin):
    site_settings.update(admin, {"registration_mode": "invitation"})
    page = client.get("/register")
    assert "by invitation" in text(page)
    assert client.post("/register", data=_person(1)).status_code == 403
    login(admin)
    created = client.post("/admin/invitations", data={"days": "3", "note": "For Sam"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    link = re.search(r'<code class="invite-link">([^<]+)</code>', text(created)).group(1)
    code = link.split("invite=")[1]
    assert len(code) >= 43
    listing = text(client.get("/admin/invitations"))
    assert f"From 1 to {settings.get('invitation_days')} days." in listing
    assert "For Sam" in listing and "Open until" in listing and code not in listing
    client.post("/logout")
    page = client.get(f"/register?invite={code}")
    assert page.status_code == 200 and "You were invited" in text(page)
    assert f'action="/register?invite={code}"' in text(page)
    response = client.post(f"/register?invite={code}", data=_person(1))
    assert response.status_code == 302
    newbie = _user("newbie1")
    invitation = db.session.scalar(select(Invitation))
    assert invitation.used_by_id == newbie.id
    client.post("/logout")
    again = client.post(f"/register?invite={code}", data=_person(2))
    assert again.status_code == 400 and "already been used" in text(again)
    assert _user("newbie2") is None
    login(admin)
    assert "Used by" in text(client.get("/admin/invitations"))


@pytest.mark.parametrize("code", ["nope", "x" * 3000, ""])
def test_bad_invitation_codes_on_the_register_page(client, admin, code):
    site_settings.update(admin, {"registration_mode": "invitation"})
    response = client.post(f"/register?invite={code}", data=_person(1))
    assert response.status_code in (400, 403)
    assert _user("newbie1") is None


def test_revoked_and_expired_links(client, login, admin):
    site_settings.update(admin, {"registration_mode": "invitation"})
    revoked, revoked_code = invitations.create(admin, 3)
    login(admin)
    assert client.post(f"/admin/invitations/{revoked.id}/revoke").status_code == 302
    assert client.post(f"/admin/invitations/{revoked.id}/revoke").status_code == 409
    assert client.post("/admin/invitations/999999/revoke").status_code == 404
    _, expired_code = invitations.create(admin, 1,
                                         now=datetime.now(UTC) - timedelta(days=2))
    client.post("/logout")
    for code, message in ((revoked_code, "was revoked"), (expired_code, "has expired")):
        page = client.get(f"/register?invite={code}")
        assert page.status_code == 400 and message in text(page)


@pytest.mark.parametrize("data, message", [
    ({"days": "0"}, "1 to 7 days"),
    ({"days": "800"}, "1 to 7 days"),
    ({"days": "soon"}, "Not a valid integer"),
    ({"days": "3", "note": "x" * 201}, "under 200 characters"),
])
def test_bad_invitation_forms(client, login, admin, data, message):
    login(admin)
    response = client.post("/admin/invitations", data=data)
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(select(Invitation)) is None


def test_two_people_registering_with_one_link_at_once(app, admin):
    site_settings.update(admin, {"registration_mode": "invitation"})
    _, code = invitations.create(admin, 3)
    db.session.commit()
    clients = [app.test_client() for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client, n: int) -> None:
        barrier.wait(30)
        statuses.append(client.post(f"/register?invite={code}",
                                    data=_person(n)).status_code)

    workers = [threading.Thread(target=send, args=(client, n))
               for n, client in enumerate(clients, start=1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(statuses) == [302, 400, 400, 400], statuses
    db.session.expire_all()
    made = db.session.scalars(select(User).where(User.username_key.like("newbie%"))).all()
    assert len(made) == 1
    assert db.session.scalar(select(Invitation.used_by_id)) == made[0].id


# -- members' own invitations ------------------------------------------------------------------
def test_members_invitations_page(client, login, admin):
    veteran = factories.make_user(username="veteran", post_count=40,
                                  created_at=datetime.now(UTC) - timedelta(days=40))
    login(veteran)
    page = text(client.get("/account/invitations"))
    assert "Only administrators can invite people" in page
    assert client.post("/account/invitations", data={"days": "2"}).status_code == 403
    assert 'href="/account/invitations"' not in text(client.get("/"))
    site_settings.update(admin, {"members_may_invite": True})
    assert 'href="/account/invitations">Invite someone' in text(client.get("/"))
    created = client.post("/account/invitations", data={"days": "2", "note": "Cousin"})
    assert created.status_code == 200 and "invite-link" in text(created)
    assert created.headers["Cache-Control"] == "no-store"
    [invitation] = db.session.scalars(select(Invitation)).all()
    assert invitation.created_by_id == veteran.id
    # Someone else's invitation can't be revoked by a member.
    other, _ = invitations.create(admin, 2)
    assert client.post(f"/account/invitations/{other.id}/revoke").status_code == 403
    assert client.post(f"/account/invitations/{invitation.id}/revoke").status_code == 302
    assert len(_log("invitation.revoke")) == 1
    # A new member is told why not.
    login(factories.make_user())
    page = text(client.get("/account/invitations"))
    assert "no longer a new member" in page


def test_account_invitations_need_login(client):
    for method, url in (("get", "/account/invitations"), ("post", "/account/invitations"),
                        ("post", "/account/invitations/1/revoke")):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_invitation_forms_need_csrf(client, login, admin, enable_csrf):
    login(admin)
    assert client.post("/admin/invitations", data={"days": "3"}).status_code == 400
    assert client.post("/admin/pages/rules", data={"body": "x"}).status_code == 400
    assert db.session.scalar(select(Invitation)) is None


# -- query budgets -----------------------------------------------------------------------------
INVITATIONS_BUDGET = 4  # member, last seen, bell, the invitations with makers and users


@pytest.mark.parametrize("url", ["/admin/invitations", "/account/invitations"])
def test_invitation_lists_cost_the_same_however_long(client, login, admin, count_queries, url):
    site_settings.update(admin, {"registration_mode": "invitation"})
    login(admin)
    counts = []
    for size in (1, 12):
        while len(db.session.scalars(select(Invitation)).all()) < size:
            invitation, code = invitations.create(admin, 3)
            joined = factories.make_user()
            invitation.used_by_id, invitation.used_at = joined.id, datetime.now(UTC)
            db.session.commit()
        client.get(url)
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= INVITATIONS_BUDGET, counts


def test_document_page_budget(client, admin, count_queries):
    documents.publish(admin, "rules", "Be kind.")
    client.get("/rules")
    with count_queries() as queries:
        assert client.get("/rules").status_code == 200
    assert len(queries) <= 1  # the document
