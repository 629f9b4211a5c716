"""Administrators managing members' accounts; password reset links; deleting accounts (by an
administrator or by the member); the personal data export."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from forum.errors import Refused
from forum.extensions import db as _db
from forum.models import (
    Board,
    BoardModerator,
    GroupMember,
    Invitation,
    Login,
    ModAction,
    Notification,
    OldUsername,
    PasswordReset,
    Post,
    Role,
    Thread,
    User,
)
from forum.services import data_export
from forum.services.accounts import (
    groups,
    invitations,
    logins,
    management,
    password_reset,
    profiles,
    usernames,
)
from forum.services.accounts.account import AccountError, Registration, log_in, register
from forum.services.community import event_rsvp
from forum.services.moderation import reports
from forum.services.site import account_removal
from tests import factories
from tests.services.event_kit import T0 as EVENT_T0
from tests.services.event_kit import make_event

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def _change(user: User, **changes) -> management.AccountChange:
    values = {"username": user.username, "email": user.email,
              "display_name": user.display_name or ""}
    values.update(changes)
    return management.AccountChange(**values)


def _log(action: str) -> list[ModAction]:
    return list(_db.session.scalars(select(ModAction).where(ModAction.action == action)))


# -- changing an account --------------------------------------------------------------------

def test_admin_renames_a_member_and_the_old_name_redirects(app, db, admin, member):
    management.update_account(admin, member, _change(member, username="Member2",
                                                     email="new@example.org",
                                                     display_name="  Mem  Ber "), "Asked")
    db.session.expire_all()
    assert member.username == "Member2" and member.username_key == "member2"
    assert member.email == "new@example.org" and member.display_name == "Mem Ber"
    assert profiles.find_renamed("MEMBER") == member
    [entry] = _log("user.account")
    assert entry.before == {"username": "member", "email": "member@example.com",
                            "display_name": None}
    assert entry.after == {"username": "Member2", "email": "new@example.org",
                           "display_name": "Mem Ber"}
    assert entry.reason == "Asked"
    assert db.session.scalar(select(Notification.kind)
                             .where(Notification.recipient_id == member.id)) == "account"


def test_an_old_name_is_free_and_taking_it_ends_the_redirect(app, db, admin, member):
    management.update_account(admin, member, _change(member, username="renamed"))
    assert usernames.find_by_old_name("member") == member
    newcomer = register(Registration("Member", "newcomer@example.com", factories.PASSWORD))
    assert usernames.find_by_old_name("member") is None
    assert profiles.find_member("member") == newcomer


def test_taking_ones_own_old_name_back(app, db, admin, member):
    management.update_account(admin, member, _change(member, username="renamed"))
    management.update_account(admin, member, _change(member, username="member"))
    assert db.session.scalar(select(func.count(OldUsername.id))) == 1  # "renamed" now
    assert usernames.find_by_old_name("renamed") == member


@pytest.mark.parametrize(("changes", "field"), [
    ({"username": "OTHER"}, "username"),
    ({"username": "no spaces"}, "username"),
    ({"username": "deleted-12"}, "username"),
    ({"email": "Other@Example.com"}, "email"),
    ({"email": "not an address"}, "email"),
    ({"display_name": "x" * 65}, "display_name"),
])
def test_bad_account_changes_are_refused_and_nothing_is_saved(app, db, admin, member,
                                                              other_member, changes, field):
    with pytest.raises(AccountError) as refused:
        management.update_account(admin, member,
                                  _change(member, **{"display_name": "Changed", **changes}))
    assert refused.value.field == field
    db.session.expire_all()
    assert member.username == "member" and member.display_name is None
    assert not _log("user.account")


def test_a_change_that_changes_nothing_is_refused(app, db, admin, member):
    with pytest.raises(Refused) as refused:
        management.update_account(admin, member, _change(member))
    assert refused.value.status == 400


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_administrators_manage_accounts(app, db, member, role):
    actor = factories.make_user(role=role)
    for attempt in (
        lambda: management.update_account(actor, member, _change(member, username="x-y-z")),
        lambda: management.end_sessions(actor, member),
        lambda: password_reset.create_reset_link(actor, member),
        lambda: account_removal.delete_account(actor, member, "keep"),
    ):
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.status == 403
    assert not db.session.scalars(select(ModAction)).all()


def test_ending_sessions_changes_the_token_and_is_logged(app, db, admin, member):
    phone = logins.start(member, True, "10.0.0.1", None)
    management.end_sessions(admin, member, "Lost phone")
    assert db.session.get(Login, phone.id).revoked_at is not None
    [entry] = _log("user.sessions")
    assert entry.target_user_id == member.id and entry.reason == "Lost phone"


# -- password reset links ---------------------------------------------------------------------

def test_a_reset_link_sets_a_password_once(app, db, admin, member):
    token = password_reset.create_reset_link(admin, member, now=T0)
    stored = db.session.scalar(select(PasswordReset))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.expires_at == T0 + timedelta(hours=24)
    phone = logins.start(member, True, "10.0.0.1", None)
    password_reset.reset_password(token, "a brand new password", now=T0 + timedelta(hours=1))
    assert db.session.get(Login, phone.id).revoked_at == T0 + timedelta(hours=1)
    assert log_in("member", "a brand new password", "127.0.0.1") == member
    with pytest.raises(Refused) as spent:
        password_reset.reset_password(token, "another new password", now=T0 + timedelta(hours=2))
    assert spent.value.status == 410
    assert _log("user.password_reset")[0].actor_id == admin.id
    # The member's own change is logged as theirs, as deleting their account is.
    [used] = _log("account.password_reset")
    assert (used.actor_id, used.target_id, used.created_at) == (
        member.id, member.id, T0 + timedelta(hours=1))


def test_a_new_password_spends_every_open_reset_link(app, db, admin, member):
    from forum.services.accounts import account

    token = password_reset.create_reset_link(admin, member, now=T0)
    account.change_password(member, factories.PASSWORD, "a brand new password")
    with pytest.raises(Refused) as spent:
        password_reset.find_reset(token, now=T0 + timedelta(minutes=1))
    assert spent.value.status == 410
    # Using one link spends any other still open (one made by mail, say).
    first = password_reset.create_reset_link(admin, member, now=T0)
    other = password_reset.issue_token(member, now=T0)
    db.session.execute(update(PasswordReset).values(used_at=None))
    db.session.commit()
    password_reset.reset_password(first, "another new password", now=T0 + timedelta(minutes=5))
    with pytest.raises(Refused) as spent:
        password_reset.find_reset(other, now=T0 + timedelta(minutes=6))
    assert spent.value.status == 410


def test_reset_links_expire_are_replaced_and_unknown_ones_are_refused(app, db, admin, member):
    first = password_reset.create_reset_link(admin, member, now=T0)
    second = password_reset.create_reset_link(admin, member, now=T0)
    with pytest.raises(Refused) as replaced:
        password_reset.find_reset(first, now=T0)
    assert replaced.value.status == 410
    with pytest.raises(Refused) as expired:
        password_reset.find_reset(second, now=T0 + timedelta(hours=24))
    assert expired.value.status == 410
    for bad in ("", "nope", "x" * 500, "é" * 10):
        with pytest.raises(Refused) as unknown:
            password_reset.find_reset(bad, now=T0)
        assert unknown.value.status == 404


def test_a_weak_password_leaves_the_link_usable(app, db, admin, member):
    token = password_reset.create_reset_link(admin, member, now=T0)
    with pytest.raises(AccountError):
        password_reset.reset_password(token, "short", now=T0)
    assert password_reset.find_reset(token, now=T0).used_at is None


# -- deleting accounts ----------------------------------------------------------------------------

@pytest.fixture
def written(app, member, other_member):
    """``member`` opened a thread (with a reply by someone else) and replied elsewhere."""
    board = factories.make_board()
    own = factories.make_thread(board, author=member, title="Mine")
    factories.make_post(own, author=other_member, body="A reply to it")
    theirs = factories.make_thread(board, author=other_member, title="Theirs")
    factories.make_post(theirs, author=member, body="My reply")
    factories.make_post(theirs, author=other_member, body="Their last word")
    return board, own, theirs


def test_anonymising_keeps_the_posts_under_deleted_member(app, db, admin, member, written):
    board, own, theirs = written
    member.bio, member.location = "About me", "Somewhere"
    make_dismissable = Notification(recipient_id=member.id, kind="reply", text="Hi")
    db.session.add(make_dismissable)
    db.session.commit()
    groups.add_member(admin, groups.create_group(admin, "Makers Club"), "member")
    member.role = Role.ADMIN  # so they may hand out invitations whatever the settings
    db.session.commit()
    handed_out, _code = invitations.create(member, 7)
    account_removal.delete_account(admin, member, "keep", "Asked by mail", now=T0)
    db.session.expire_all()
    assert member.username == f"deleted-{member.id}" and member.name == "Deleted member"
    assert not db.session.scalars(select(GroupMember).where(GroupMember.user_id == member.id)
                                  ).all()
    assert db.session.get(Invitation, handed_out.id).revoked_at is not None
    assert member.email.endswith(".invalid") and member.bio is None and member.location is None
    assert member.is_deleted and member.deleted_at == T0
    assert not db.session.scalars(select(Notification)
                                  .where(Notification.recipient_id == member.id)).all()
    assert db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == member.id, Post.is_deleted.is_(False))) == 2
    [entry] = _log("user.delete")
    assert entry.before["username"] == "member" and entry.after["posts"] == "kept"
    with pytest.raises(AccountError):
        log_in("member", factories.PASSWORD, "127.0.0.1")
    # The name and address are free again.
    factories.make_user(username="member", email="member@example.com")


def test_deleting_with_posts_keeps_every_counter_right(app, db, admin, member, other_member,
                                                      written):
    board, own, theirs = written
    account_removal.delete_account(admin, member, "delete", now=T0)
    db.session.expire_all()
    assert db.session.get(Thread, own.id).is_deleted
    theirs = db.session.get(Thread, theirs.id)
    assert not theirs.is_deleted and theirs.reply_count == 1
    last = db.session.get(Post, theirs.last_post_id)
    assert last.body == "Their last word"
    board = db.session.get(Board, board.id)
    assert board.thread_count == 1 and board.post_count == 2
    assert board.last_post_id == theirs.last_post_id
    assert member.post_count == 0 and member.thread_count == 0
    assert other_member.post_count == 3  # a reply inside the deleted thread still counts
    [entry] = _log("user.delete")
    assert entry.after["posts_deleted"] == 2 and entry.after["threads_deleted"] == 1
    deleted = db.session.scalars(select(Post).where(Post.author_id == member.id)).all()
    assert all(post.is_deleted and post.deleted_by_id == admin.id for post in deleted)


def test_a_deleted_thread_comes_back_with_its_counts(app, db, admin, member, written):
    from forum.services.moderation import thread_tools

    board, own, theirs = written
    before = (board.thread_count, board.post_count)
    account_removal.delete_account(admin, member, "delete", now=T0)
    thread_tools.restore_thread(admin, db.session.get(Thread, own.id), "Mistake")
    db.session.expire_all()
    board = db.session.get(Board, board.id)
    # The thread and its opening post are back; the member's reply elsewhere stays deleted.
    assert (board.thread_count, board.post_count) == (before[0], before[1] - 1)


def test_an_account_is_deleted_once(app, db, admin, member):
    account_removal.delete_account(admin, member, "keep", now=T0)
    with pytest.raises(Refused) as again:
        account_removal.delete_account(admin, member, "delete", now=T0)
    assert again.value.status == 409
    with pytest.raises(Refused) as late:
        management.end_sessions(admin, member)
    assert late.value.status == 409


def test_the_last_administrator_cannot_be_deleted(app, db, admin):
    other = factories.make_user(role="admin")
    account_removal.delete_account(admin, other, "keep")
    with pytest.raises(Refused) as refused:
        account_removal.delete_own_account(admin, factories.PASSWORD, "keep")
    assert "last administrator" in refused.value.reason
    db.session.expire_all()
    assert admin.is_admin and not admin.is_deleted


def test_an_admin_deletes_another_admin_and_their_board_moderation_ends(app, db, admin):
    other = factories.make_user(role="admin")
    board = factories.make_board()
    factories.make_board_moderator(other, board)
    account_removal.delete_account(admin, other, "keep")
    assert not other.is_admin and not other.is_board_moderator
    assert not db.session.scalars(select(BoardModerator)).all()


def test_admins_delete_their_own_account_from_the_account_page(app, db, admin):
    factories.make_user(role="admin")
    with pytest.raises(Refused) as refused:
        account_removal.delete_account(admin, admin, "keep")
    assert refused.value.status == 403


def test_a_member_deletes_their_own_account_with_their_password(app, db, member, written):
    with pytest.raises(AccountError):
        account_removal.delete_own_account(member, "wrong password", "delete")
    with pytest.raises(Refused) as refused:
        account_removal.delete_own_account(member, factories.PASSWORD, "everything")
    assert refused.value.status == 400
    assert not member.is_deleted
    account_removal.delete_own_account(member, factories.PASSWORD, "delete", now=T0)
    [entry] = _log("account.delete")
    assert entry.actor_id == member.id and entry.after["posts_deleted"] == 2


# -- the data export --------------------------------------------------------------------------

def test_every_domain_has_its_section(app):
    assert set(data_export.section_names()) >= {
        "profile", "posts", "reports", "rsvps", "notifications", "groups", "invitations",
        "reactions", "bookmarks", "threads_read", "boards_followed"}


def test_the_export_holds_the_members_data(app, db, admin, member, other_member, written):
    board, own, theirs = written
    reports.file_report(member, theirs.first_post, "spam", "Looks like an ad")
    event = make_event(factories.make_user(role="moderator"), board)
    event_rsvp.answer_event(member, event, "going", now=EVENT_T0)
    management.update_account(admin, member, _change(member, username="member2"))
    groups.add_member(admin, groups.create_group(admin, "Makers Club"), "member2")
    invitations.create(admin, 7, "For Sam")
    data = json.loads(data_export.export_json(member, now=T0))
    assert data["format"] == data_export.FORMAT and data["exported_at"] == T0.isoformat()
    assert data["profile"]["username"] == "member2"
    assert data["profile"]["previous_usernames"] == ["member"]
    assert [post["body"] for post in data["posts"]] == ["The opening post.", "My reply"]
    assert data["posts"][0]["opens_thread"] and data["posts"][0]["thread_title"] == "Mine"
    assert data["reports"][0]["note"] == "Looks like an ad"
    assert data["rsvps"][0]["answer"] == "going"
    assert data["notifications"]  # the reply to their thread, the account change
    assert [row["group"] for row in data["groups"]] == ["Makers Club"]
    assert data["invitations"] == []  # the administrator's, not theirs
    assert data_export.export(admin)["invitations"][0]["note"] == "For Sam"


def test_the_export_names_no_thread_or_board_the_member_may_no_longer_read(app, db, member,
                                                                           written):
    from forum.models import Access, Board

    board, own, theirs = written
    team = factories.make_board(slug="team-room", access=Access.STAFF)
    _db.session.get(type(theirs), theirs.id).board_id = team.id
    _db.session.commit()
    posts = {row["body"]: row for row in data_export.export(member)["posts"]}
    mine = next(row for body, row in posts.items() if row["thread_id"] == own.id)
    assert (mine["thread_title"], mine["board"]) == ("Mine", board.slug)
    hidden = posts["My reply"]
    assert (hidden["thread_title"], hidden["board"]) == (None, None)
    assert hidden["thread_id"] == theirs.id
    assert "team-room" not in json.dumps(data_export.export(member))
    assert _db.session.get(Board, team.id) is not None


def test_the_export_costs_one_query_per_section_whatever_the_member_wrote(
        app, db, member, other_member, written, count_queries):
    board, own, theirs = written
    db.session.expire_all()
    member = db.session.get(User, member.id)
    with count_queries() as few:
        data_export.export(member)
    for n in range(5):
        factories.make_post(theirs, author=member, body=f"More {n}")
        reports.file_report(member, factories.make_post(theirs, author=other_member), "spam")
    db.session.expire_all()
    member = db.session.get(User, member.id)
    with count_queries() as many:
        data_export.export(member)
    assert len(many) == len(few) <= len(data_export.section_names()) + 1


def test_a_deleted_account_gives_its_place_at_an_event_to_the_first_waiting(app, db, admin,
                                                                           member):
    from forum.models import Event, EventRsvp

    board = factories.make_board()
    event = make_event(factories.make_user(role="moderator"), board, capacity="1")
    waiting = factories.make_user()
    event_rsvp.answer_event(member, event, "going", now=EVENT_T0)
    assert event_rsvp.answer_event(waiting, event, "going", now=EVENT_T0) == "waitlisted"
    account_removal.delete_account(admin, member, "keep", now=EVENT_T0)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.going_count, event.waitlist_count) == (1, 0)
    statuses = dict(db.session.execute(select(EventRsvp.user_id, EventRsvp.status)).all())
    assert statuses == {waiting.id: "going"}


def test_deleted_accounts_leave_the_member_list(app, db, admin, member):
    account_removal.delete_account(admin, member, "keep")
    listed = profiles.list_members(sort="name").members
    assert member not in listed and admin in listed


def test_a_name_taken_before_it_was_reserved_does_not_block_a_deletion(app, db, admin, member):
    squatter = factories.quick_users(1, prefix="squat")[0]
    squatter.username = squatter.username_key = f"deleted-{member.id}"
    db.session.commit()
    account_removal.delete_account(admin, member, "keep")
    assert member.username.startswith(f"deleted-{member.id}-")
    assert squatter.username == f"deleted-{member.id}"


def test_a_change_from_a_page_loaded_before_the_deletion_is_refused(app, db, admin, member):
    from sqlalchemy import update
    from sqlalchemy.orm.attributes import set_committed_value

    # Another administrator deleted the account after this one's page was loaded.
    db.session.execute(update(User).where(User.id == member.id).values(deleted_at=T0)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    set_committed_value(member, "deleted_at", None)  # what the earlier request still believes
    with pytest.raises(Refused) as refused:
        management.update_account(admin, member, _change(member, username="revived"))
    assert refused.value.status == 409
    db.session.refresh(member)  # loaded again after the rollback
    set_committed_value(member, "deleted_at", None)
    with pytest.raises(Refused) as again:
        account_removal.delete_account(admin, member, "keep")
    assert again.value.status == 409
    assert not _log("user.account") and not _log("user.delete")


def test_the_export_holds_what_the_member_follows_reacted_to_and_kept(app, db, member,
                                                                       other_member, written):
    from datetime import timedelta

    from forum.policy import Policy
    from forum.services.content import bookmarks, reactions, reading_state, watching

    board, own, theirs = written
    post = theirs.first_post
    reactions.react(member, post, "thanks", add=True, now=T0)
    bookmarks.save(member, post, "Read again", T0 + timedelta(days=1), now=T0)
    reading_state.mark_read(Policy(member), theirs, theirs.post_seq, now=T0)
    watching.set_board_level(member, board, "tracking")
    data = json.loads(data_export.export_json(member, now=T0))
    assert data["reactions"] == [{"post_id": post.id, "kind": "thanks",
                                  "created_at": T0.isoformat()}]
    assert [(row["post_id"], row["note"]) for row in data["bookmarks"]] == [
        (post.id, "Read again")]
    assert data["bookmarks"][0]["remind_at"] == (T0 + timedelta(days=1)).isoformat()
    read = {row["thread_id"]: row["last_position_read"] for row in data["threads_read"]}
    assert read[theirs.id] == theirs.post_seq
    assert data["boards_followed"] == [{"board_id": board.id, "level": "tracking",
                                        "marked_read_at": None}]
    # Nobody else's: the other member reacted to nothing.
    assert data_export.export(other_member)["reactions"] == []
