"""Ban lists, the addresses members used, and removing a spammer in one step."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, InvalidField, Refused
from forum.extensions import db
from forum.models import (
    BanEntry,
    Board,
    ItemStatus,
    MemberAddress,
    ModAction,
    Notification,
    Post,
    Sanction,
    Thread,
    User,
    utcnow,
)
from forum.policy import Policy
from forum.services import data_export
from forum.services.accounts import account, addresses, bans
from forum.services.moderation import reports, spammers
from forum.services.site import timers
from tests import factories
from tests.services.moderation_kit import race


def _ban(admin, kind, value, **fields):
    return bans.add(admin, bans.NewEntry(kind, value, **fields))


# -- the ban lists -----------------------------------------------------------------------------
def test_domain_bans_cover_subdomains_but_not_lookalikes(app, admin):
    _ban(admin, "domain", "Spam.Example")
    assert bans.refusal_for(email="bot@spam.example")
    assert bans.refusal_for(email="bot@mail.SPAM.example")
    assert bans.refusal_for(email="bot@notspam.example") is None
    assert bans.refusal_for(email="bot@spam.example.org") is None


def test_address_bans_match_one_address(app, admin):
    _ban(admin, "email", "Bot@Example.com")
    assert bans.refusal_for(email="bot@example.com")
    assert bans.refusal_for(email="other@example.com") is None


def test_network_bans_match_ipv4_and_ipv6_ranges(app, admin):
    _ban(admin, "network", "203.0.113.0/24")
    _ban(admin, "network", "2001:db8:1::/48")
    assert bans.refusal_for(address="203.0.113.77")
    assert bans.refusal_for(address="::ffff:203.0.113.5")  # IPv4 written as IPv6
    assert bans.refusal_for(address="203.0.114.1") is None
    assert bans.refusal_for(address="2001:db8:1:ff::1")
    assert bans.refusal_for(address="2001:db8:2::1") is None
    assert bans.refusal_for(address="not an address") is None


def test_an_entry_ends_on_time(app, admin):
    now = utcnow()
    _ban(admin, "network", "198.51.100.0/24", expires_at=now + timedelta(days=1))
    _ban(admin, "domain", "later.example", expires_at=now + timedelta(days=1))
    assert bans.refusal_for(address="198.51.100.1", now=now)
    assert bans.refusal_for(email="a@later.example", now=now)
    later = now + timedelta(days=1, seconds=1)
    assert bans.refusal_for(address="198.51.100.1", now=later) is None
    assert bans.refusal_for(email="a@later.example", now=later) is None


def test_the_refusal_does_not_say_which_list(app, admin):
    _ban(admin, "domain", "spam.example")
    _ban(admin, "network", "203.0.113.0/24")
    assert bans.refusal_for(email="a@spam.example") == bans.refusal_for(address="203.0.113.1")


@pytest.mark.parametrize("kind, value, status", [
    ("network", "203.0.113.0/33", 400), ("network", "banana", 400), ("network", "10.0.0.0/4", 400),
    ("domain", "spam example", 400), ("email", "not-an-email", 400), ("network", "", 400),
])
def test_malformed_entries_are_refused(app, admin, kind, value, status):
    with pytest.raises(InvalidField) as refused:
        _ban(admin, kind, value)
    assert refused.value.status == status and refused.value.field == "value"


def test_the_same_entry_written_another_way_is_a_duplicate(app, admin):
    _ban(admin, "network", "203.0.113.0/24")
    with pytest.raises(InvalidField) as refused:
        _ban(admin, "network", "203.0.113.9/24")
    assert refused.value.status == 409


def test_only_administrators_keep_the_lists_and_every_change_is_logged(app, admin, moderator):
    with pytest.raises(Refused):
        _ban(moderator, "domain", "spam.example")
    entry = _ban(admin, "domain", "spam.example", note="Bot farm")
    bans.remove(admin, entry)
    logged = db.session.scalars(select(ModAction.action).order_by(ModAction.id)).all()
    assert logged == ["ban_list.add", "ban_list.remove"]
    assert bans.refusal_for(email="a@spam.example") is None


def test_registration_is_refused_with_a_banned_email_or_from_a_banned_range(app, admin):
    _ban(admin, "domain", "spam.example")
    _ban(admin, "network", "203.0.113.0/24")
    with pytest.raises(account.AccountError) as refused:
        account.register(account.Registration("bot1", "bot@spam.example", "long enough pw"))
    assert refused.value.field == "ban"
    with pytest.raises(account.AccountError):
        account.register(account.Registration("bot2", "bot@fine.example", "long enough pw",
                                              address="203.0.113.8"))
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_login_is_refused_from_a_banned_range(app, client, admin, member):
    client.post("/login", data={"login": "admin", "password": factories.PASSWORD})
    client.post("/admin/bans", data={"kind": "network", "value": "203.0.113.0/24"})
    client.post("/logout")
    response = client.post("/login", data={"login": "member", "password": factories.PASSWORD},
                           environ_base={"REMOTE_ADDR": "203.0.113.20"})
    assert response.status_code == 403
    assert "possible from your network" in response.get_data(as_text=True)
    fine = client.post("/login", data={"login": "member", "password": factories.PASSWORD},
                       environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert fine.status_code == 302


def test_a_banned_email_refuses_login_only_once_the_password_is_right(app, admin, member):
    _ban(admin, "email", member.email)
    with pytest.raises(account.AccountError):
        account.log_in("member", "wrong password", "198.51.100.1")
    with pytest.raises(Refused) as refused:
        account.log_in("member", factories.PASSWORD, "198.51.100.1")
    assert refused.value.status == 403


def test_admin_page_says_what_is_wrong(app, client, login, admin):
    login(admin)
    bad = client.post("/admin/bans", data={"kind": "network", "value": "300.1.2.3/24"})
    assert bad.status_code == 400
    assert "an IP address or range" in bad.get_data(as_text=True)
    assert client.post("/admin/bans", data={"kind": "network", "value": "203.0.113.0/24",
                                            "note": "Bots"}).status_code == 302
    again = client.post("/admin/bans", data={"kind": "network", "value": "203.0.113.0/24"})
    assert again.status_code == 409
    assert "already on the ban list" in again.get_data(as_text=True)
    own = client.post("/admin/bans", data={"kind": "network", "value": "127.0.0.0/8"})
    assert own.status_code == 400 and "your own address" in own.get_data(as_text=True)
    listing = client.get("/admin/bans").get_data(as_text=True)
    assert "203.0.113.0/24" in listing and "Bots" in listing


# -- addresses ---------------------------------------------------------------------------------
def test_an_address_is_written_at_most_once_an_hour(app, member):
    now = utcnow()
    assert addresses.record(member.id, "198.51.100.1", now)
    assert not addresses.record(member.id, "198.51.100.1", now + timedelta(minutes=30))
    addresses.forget_memo()  # another process: the database keeps it to once an hour too
    addresses.record(member.id, "198.51.100.1", now + timedelta(minutes=40))
    db.session.commit()
    row = db.session.get(MemberAddress, (member.id, "198.51.100.1"))
    assert row.last_seen == now
    addresses.forget_memo()
    assert addresses.record(member.id, "198.51.100.1", now + timedelta(minutes=61))
    db.session.commit()
    db.session.refresh(row)
    assert row.last_seen == now + timedelta(minutes=61) and row.first_seen == now


def test_login_registration_and_posting_record_the_address(app, client, member):
    account.log_in("member", factories.PASSWORD, "198.51.100.1")
    user = account.register(account.Registration("newbie", "newbie@example.com",
                                                 "long enough pw", address="198.51.100.2"))
    board = factories.make_board()
    client.post("/login", data={"login": "newbie", "password": factories.PASSWORD + "x"})
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_cookie(member)
        session["_fresh"] = True
    client.get("/", environ_base={"REMOTE_ADDR": "198.51.100.3"})  # reading records nothing
    client.post(f"/b/{board.slug}/new", data={"title": "Hello", "body": "Hi all"},
                environ_base={"REMOTE_ADDR": "198.51.100.4"})
    rows = db.session.execute(select(MemberAddress.user_id, MemberAddress.address)
                              .order_by(MemberAddress.address)).all()
    assert rows == [(member.id, "198.51.100.1"), (user.id, "198.51.100.2"),
                    (member.id, "198.51.100.4")]


def test_addresses_are_deleted_after_the_keeping_time(app, member):
    now = utcnow()
    addresses.record(member.id, "198.51.100.1", now - timedelta(days=91))
    addresses.record(member.id, "198.51.100.2", now - timedelta(days=89))
    db.session.commit()
    assert timers.run_timers(now).addresses_purged == 1
    assert db.session.scalars(select(MemberAddress.address)).all() == ["198.51.100.2"]


def test_moderators_see_who_else_used_an_address(app, moderator, member, other_member):
    now = utcnow()
    addresses.record(member.id, "198.51.100.1", now)
    addresses.record(member.id, "2001:db8::1", now)
    addresses.record(other_member.id, "198.51.100.1", now)
    db.session.commit()
    used = {row.address: [u.username for u in row.others]
            for row in addresses.lookup(Policy(moderator), member)}
    assert used == {"198.51.100.1": ["other"], "2001:db8::1": []}


def test_only_moderators_of_the_whole_forum_see_addresses(app, client, login, member, admin,
                                                          moderator):
    board = factories.make_board()
    board_moderator = factories.make_board_moderator(factories.make_user(), board)
    addresses.record(member.id, "198.51.100.1")
    db.session.commit()
    assert Policy(moderator).can_view_member_addresses()
    assert Policy(admin).can_view_member_addresses()
    assert not Policy(board_moderator).can_view_member_addresses()
    assert not Policy(member).can_view_member_addresses()
    with pytest.raises(Refused):
        addresses.lookup(Policy(board_moderator), member)
    login(board_moderator)
    assert "198.51.100.1" not in client.get("/mod/members/member").get_data(as_text=True)
    login(moderator)
    assert "198.51.100.1" in client.get("/mod/members/member").get_data(as_text=True)


def test_a_members_export_lists_their_addresses(app, member):
    addresses.record(member.id, "198.51.100.1")
    db.session.commit()
    exported = data_export.export(member)
    assert [row["address"] for row in exported["addresses"]] == ["198.51.100.1"]


# -- removing a spammer ------------------------------------------------------------------------
@pytest.fixture
def spammer(app):
    user = factories.make_user(username="spammer", email="spammer@bots.example")
    addresses.record(user.id, "198.51.100.7")
    addresses.record(user.id, "2001:db8:5:5::9")
    db.session.commit()
    return user


def _spam_world(spammer):
    board = factories.make_board()
    own = factories.make_thread(board, author=spammer, title="Cheap watches",
                                body="Buy cheap watches zzyzx")
    factories.make_post(own, author=factories.make_user(), body="Is this spam?")
    other = factories.make_thread(board, author=factories.make_user(), title="Clocks")
    reply = factories.make_post(other, author=spammer, body="More zzyzx watches")
    item = reports.file_report(factories.make_user(), reply, "spam").item
    return board, own, other, item


@pytest.mark.search
def test_removing_a_spammer_does_everything_in_one_logged_step(app, moderator, spammer):
    from forum.services.search import query

    board, own, other, item = _spam_world(spammer)
    reader = factories.make_user()
    assert len(query.search(reader, query.SearchParams(q="zzyzx")).hits) == 2
    before = db.session.scalar(select(func.count()).select_from(Notification)
                               .where(Notification.recipient_id == spammer.id))
    removal = spammers.remove(moderator, spammer, "Watch spam", item=item)
    assert (removal.posts, removal.threads) == (2, 1)
    db.session.expire_all()
    board, other = db.session.get(Board, board.id), db.session.get(Thread, other.id)
    assert (board.thread_count, board.post_count) == (1, 1)
    assert other.reply_count == 0
    spammer = db.session.get(User, spammer.id)
    assert (spammer.post_count, spammer.thread_count) == (0, 0)
    assert query.search(reader, query.SearchParams(q="zzyzx")).hits == []
    ban = db.session.scalar(select(Sanction).where(Sanction.user_id == spammer.id,
                                                   Sanction.kind == "ban"))
    assert ban is not None and ban.ends_at is None
    listed = set(db.session.execute(select(BanEntry.kind, BanEntry.value)).all())
    assert listed == {("email", "spammer@bots.example"), ("network", "198.51.100.7/32"),
                      ("network", "2001:db8:5:5::/64")}
    assert db.session.get(type(item), item.id).status == ItemStatus.RESOLVED
    entries = db.session.scalars(select(ModAction)).all()
    assert [entry.action for entry in entries if entry.action != "report.file"] == [
        "user.remove_spammer"]
    assert entries[-1].after == {"posts": 2, "threads": 1, "reports": 1, "ban_entries": 3}
    after = db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.recipient_id == spammer.id))
    assert after == before  # the spammer is not told
    assert bans.refusal_for(address="198.51.100.7")
    with pytest.raises(Conflict):
        spammers.remove(moderator, spammer, "Again")


def test_staff_and_board_moderators_cannot_remove(app, moderator, admin, spammer):
    board = factories.make_board()
    board_moderator = factories.make_board_moderator(factories.make_user(), board)
    for actor, target in ((board_moderator, spammer), (moderator, admin),
                          (moderator, factories.make_user(role="moderator")),
                          (moderator, moderator)):
        with pytest.raises(Refused) as refused:
            spammers.remove(actor, target, "Spam")
        assert refused.value.status == 403


def test_addresses_the_team_used_are_not_banned(app, moderator, spammer):
    addresses.record(moderator.id, "198.51.100.7")
    db.session.commit()
    spammers.remove(moderator, spammer, "Spam")
    assert not bans.refusal_for(address="198.51.100.7")


def test_an_administrator_undoes_a_removal_within_the_window(app, moderator, admin, spammer):
    board, own, other, item = _spam_world(spammer)
    _ban(admin, "network", "198.51.100.0/24")  # listed before: stays after the undo
    removal = spammers.remove(moderator, spammer, "Watch spam")
    with pytest.raises(Refused):
        spammers.undo(moderator, removal, "Mistake")
    spammers.undo(admin, removal, "A real person", now=utcnow() + timedelta(days=6))
    db.session.expire_all()
    board, spammer = db.session.get(Board, board.id), db.session.get(User, spammer.id)
    assert (board.thread_count, board.post_count) == (2, 4)
    assert (spammer.post_count, spammer.thread_count) == (2, 1)
    assert db.session.scalar(select(func.count()).select_from(Post)
                             .where(Post.is_deleted.is_(True))) == 0
    assert db.session.scalars(select(BanEntry.value)).all() == ["198.51.100.0/24"]
    assert not bans.refusal_for(email=spammer.email)
    account.log_in("spammer", factories.PASSWORD, "192.0.2.1")  # the ban is lifted
    actions = db.session.scalars(select(ModAction.action)).all()
    assert "user.undo_remove_spammer" in actions
    with pytest.raises(Conflict):
        spammers.undo(admin, removal, "Twice")


def test_the_undo_window_closes(app, moderator, admin, spammer):
    removal = spammers.remove(moderator, spammer, "Spam")
    with pytest.raises(Refused) as refused:
        spammers.undo(admin, removal, "Too late", now=utcnow() + timedelta(days=7, minutes=1))
    assert refused.value.status == 403 and "no longer be undone" in refused.value.reason


def test_two_moderators_remove_at_once_and_one_of_them_does_it(app, spammer):
    _spam_world(spammer)
    first = factories.make_user(role="moderator")
    second = factories.make_user(role="moderator")

    def press(moderator):
        session_id = factories.login_cookie(moderator)

        def job():
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
                session["_fresh"] = True
            return lambda: client.post("/mod/members/spammer/remove-spammer",
                                       data={"reason": "Spam"})
        return job

    results = race(app, press(first), press(second))
    statuses = sorted(response.status_code for _ok, response in results)
    assert statuses == [302, 409]
    loser = next(response for _ok, response in results if response.status_code == 409)
    assert "already been removed as a spammer" in loser.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ModAction)
                             .where(ModAction.action == "user.remove_spammer")) == 1
    assert db.session.scalar(select(func.count()).select_from(Sanction)
                             .where(Sanction.kind == "ban")) == 1


def test_the_pages_confirm_before_removing(app, client, login, moderator, spammer):
    _board, _own, _other, item = _spam_world(spammer)
    login(moderator)
    page = client.get(f"/mod/reports/{item.id}/remove-spammer").get_data(as_text=True)
    assert "198.51.100.7" in page and "spammer@bots.example" in page
    assert db.session.scalar(select(func.count()).select_from(BanEntry)) == 0
    missing = client.post(f"/mod/reports/{item.id}/remove-spammer", data={"reason": ""})
    assert missing.status_code == 400
    done = client.post(f"/mod/reports/{item.id}/remove-spammer", data={"reason": "Spam"})
    assert done.status_code == 302
    record = client.get("/mod/members/spammer").get_data(as_text=True)
    assert "Removed as a spammer" in record
