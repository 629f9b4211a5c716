"""The announcements service: who sees what when, dismissals, and writing with its refusals."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, Refused
from forum.extensions import db
from forum.models import Announcement, AnnouncementDismissal, ModAction
from forum.policy import Policy
from forum.services.community import announcements as service
from forum.services.community.announcements import Draft, InvalidAnnouncement, Scope
from tests import factories

T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Guest:
    is_authenticated = False


def seen(user, now, guest_dismissed=frozenset()) -> list[str]:
    viewer = Policy(user if user is not None else Guest(), now)
    return [n.title for n in service.visible_notices(viewer, now, guest_dismissed)]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def announce(actor, title="Hello", now=T0, **fields) -> Announcement:
    return service.create_announcement(actor, Draft(title=title, **fields), now=now)


@pytest.fixture
def board(app):
    return factories.make_board(slug="here", title="Here")


@pytest.fixture
def board_mod(board):
    return factories.make_board_moderator(factories.make_user(username="keeper"), board)


# -- visibility ------------------------------------------------------------------------------
def test_window_is_start_inclusive_end_exclusive(admin, member):
    announce(admin, "Window", starts_at=T0 + HOUR, ends_at=T0 + 3 * HOUR)
    assert seen(member, T0) == []
    assert seen(member, T0 + HOUR) == ["Window"]
    assert seen(member, T0 + 3 * HOUR - timedelta(seconds=1)) == ["Window"]
    assert seen(member, T0 + 3 * HOUR) == []


def test_open_ended_announcement_stays_until_ended(admin, member):
    shown = announce(admin, "Forever")
    assert seen(member, T0 + timedelta(days=400)) == ["Forever"]
    service.end_announcement(admin, shown, now=T0 + 2 * HOUR)
    assert seen(member, T0 + HOUR) == ["Forever"]
    assert seen(member, T0 + 2 * HOUR) == []


@pytest.mark.parametrize(("audience", "who_sees"), [
    ("everyone", {"guest", "member", "board_mod", "moderator", "admin"}),
    ("members", {"member", "board_mod", "moderator", "admin"}),
    ("moderators", {"board_mod", "moderator", "admin"}),
])
def test_audiences(admin, member, moderator, board_mod, audience, who_sees):
    announce(admin, "Note", audience=audience)
    viewers = {"guest": None, "member": member, "board_mod": board_mod,
               "moderator": moderator, "admin": admin}
    assert {name for name, user in viewers.items() if seen(user, T0)} == who_sees


def test_most_pressing_first(admin, member):
    announce(admin, "Info", severity="info")
    announce(admin, "Critical", severity="critical")
    announce(admin, "Warning", severity="warning")
    assert seen(member, T0) == ["Critical", "Warning", "Info"]


def test_banners_and_pinned_split_by_placement(admin, board, member):
    other = factories.make_board(slug="other")
    announce(admin, "Banner")
    announce(admin, "Every board", placement="all_boards")
    announce(admin, "Here only", placement="board", board_id=board.id)
    announce(admin, "Other only", placement="board", board_id=other.id)
    notices = service.visible_notices(Policy(member, T0), T0)
    assert [n.title for n in service.banners(notices)] == ["Banner"]
    assert {n.title for n in service.pinned(notices, board)} == {"Every board", "Here only"}


def test_cache_serves_repeat_reads_without_queries(app, admin, member, count_queries):
    announce(admin, "Cached", is_dismissible=False)
    viewer = Policy(member, T0)
    service.visible_notices(viewer, T0)
    with count_queries() as queries:
        assert [n.title for n in service.visible_notices(viewer, T0)] == ["Cached"]
    assert queries == []


def test_a_write_clears_the_cache_at_once(admin, member):
    assert seen(member, T0) == []
    announce(admin, "Fresh")
    assert seen(member, T0) == ["Fresh"]


def test_cache_is_bypassed_for_an_earlier_clock(admin, member):
    shown = announce(admin, "Old", starts_at=T0 - 10 * HOUR)
    service.end_announcement(admin, shown, now=T0 - 5 * HOUR)
    assert seen(member, datetime.now(UTC)) == []  # fills the cache with what is live now
    assert seen(member, T0 - 6 * HOUR) == ["Old"]


# -- dismissals ------------------------------------------------------------------------------
def test_member_dismissal_is_stored_once(admin, member):
    shown = announce(admin, "Closable")
    service.dismiss(Policy(member, T0), shown.id, now=T0)
    service.dismiss(Policy(member, T0), shown.id, now=T0)
    assert count(AnnouncementDismissal) == 1
    assert seen(member, T0) == []
    assert seen(factories.make_user(), T0) == ["Closable"]


def test_guest_dismissal_uses_the_given_ids(admin):
    shown = announce(admin, "Closable")
    fixed = announce(admin, "Fixed", is_dismissible=False)
    assert service.dismiss(Policy(Guest(), T0), shown.id).id == shown.id
    assert count(AnnouncementDismissal) == 0
    assert seen(None, T0, frozenset({shown.id, fixed.id})) == ["Fixed"]


def test_not_dismissible_refused(admin, member):
    fixed = announce(admin, "Fixed", is_dismissible=False)
    with pytest.raises(Refused) as refused:
        service.dismiss(Policy(member, T0), fixed.id)
    assert refused.value.status == 403
    assert count(AnnouncementDismissal) == 0


def test_dismissing_unknown_or_unseen_is_not_found(admin, member):
    staff = announce(admin, "Staff", audience="moderators")
    for announcement_id in (staff.id, 9999):
        with pytest.raises(NotFound):
            service.dismiss(Policy(member, T0), announcement_id)


# -- writing ---------------------------------------------------------------------------------
def test_create_renders_markdown_and_logs(admin):
    shown = announce(admin, "Title", body="**Bold** <script>x()</script>")
    assert "<strong>Bold</strong>" in shown.body_html and "<script>" not in shown.body_html
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "announcement.create"))
    assert entry.target_id == shown.id and entry.actor_id == admin.id
    assert entry.after["title"] == "Title" and entry.after["starts_at"] == T0.isoformat()


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": ""}, "title"),
    ({"title": "x" * 151}, "title"),
    ({"body": "x" * 10_001}, "body"),
    ({"severity": "loud"}, "severity"),
    ({"audience": "robots"}, "audience"),
    ({"placement": "sky"}, "placement"),
    ({"placement": "board"}, "board"),
    ({"placement": "board", "board_id": 9999}, "board"),
    ({"thread_id": 9999}, "thread"),
    ({"starts_at": T0, "ends_at": T0 - HOUR}, "ends_at"),
    ({"starts_at": T0, "ends_at": T0}, "ends_at"),
    ({"ends_at": T0 - HOUR}, "ends_at"),
    ({"starts_at": datetime(2030, 1, 1)}, "starts_at"),
    # Ends of the calendar: shown in a zone far from UTC they would overflow.
    ({"ends_at": datetime(9999, 12, 31, 23, 0, tzinfo=UTC)}, "ends_at"),
    ({"starts_at": datetime(1, 1, 1, 10, 0, tzinfo=UTC)}, "starts_at"),
])
def test_bad_input_refused_and_nothing_saved(admin, fields, field):
    draft = {"title": "Fine", **fields}
    with pytest.raises(InvalidAnnouncement) as refused:
        service.create_announcement(admin, Draft(**draft), now=T0)
    assert refused.value.status == 400 and refused.value.field == field
    assert refused.value.reason
    assert count(Announcement) == 0 and count(ModAction) == 0


def test_board_moderator_announces_in_their_board_only(board, board_mod):
    elsewhere = factories.make_board(slug="elsewhere")
    made = announce(board_mod, "Ours", placement="board", board_id=board.id)
    assert made.board_id == board.id
    for fields in ({"placement": "board", "board_id": elsewhere.id}, {"placement": "banner"},
                   {"placement": "all_boards"}):
        with pytest.raises(Refused) as refused:
            announce(board_mod, "Theirs", **fields)
        assert refused.value.status == 403
    assert count(Announcement) == 1


def test_members_may_not_announce(member, board):
    with pytest.raises(Refused) as refused:
        announce(member, "Hi", placement="board", board_id=board.id)
    assert refused.value.status == 403


def test_moderators_scope_refuses_site_wide_even_for_admins(admin):
    with pytest.raises(Refused) as refused:
        service.create_announcement(admin, Draft(title="Banner"), Scope.BOARDS, now=T0)
    assert refused.value.status == 403
    assert count(Announcement) == 0


def test_moderator_may_announce_in_any_board_but_not_site_wide(moderator, board):
    made = announce(moderator, "B", placement="board", board_id=board.id)
    assert made.id
    with pytest.raises(Refused) as refused:
        announce(moderator, "Banner")
    assert refused.value.status == 403


def test_update_logs_changes_and_keeps_the_start(admin):
    shown = announce(admin, "Before", starts_at=T0 - HOUR)
    service.update_announcement(admin, shown, Draft(title="After", severity="warning"),
                                now=T0)
    assert shown.title == "After" and shown.severity == "warning"
    assert shown.starts_at == T0 - HOUR and shown.updated_at == T0
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "announcement.edit"))
    assert entry.before == {"title": "Before", "severity": "info"}
    assert entry.after == {"title": "After", "severity": "warning"}


def test_update_without_changes_logs_nothing(admin):
    shown = announce(admin, "Same", starts_at=T0)
    service.update_announcement(admin, shown, Draft(title="Same"), now=T0)
    assert db.session.scalar(select(func.count()).select_from(ModAction)
                             .where(ModAction.action == "announcement.edit")) == 0


def test_update_bad_input_changes_nothing(admin):
    shown = announce(admin, "Keep", starts_at=T0)
    with pytest.raises(InvalidAnnouncement):
        service.update_announcement(admin, shown, Draft(title="New", ends_at=T0 - HOUR), now=T0)
    db.session.expire_all()
    assert db.session.get(Announcement, shown.id).title == "Keep"


def test_board_moderator_cannot_move_an_announcement_out_of_their_board(board, board_mod):
    made = announce(board_mod, "Ours", placement="board", board_id=board.id)
    with pytest.raises(Refused) as refused:
        service.update_announcement(board_mod, made, Draft(title="Ours", placement="banner"),
                                    now=T0)
    assert refused.value.status == 403


def test_end_now_ends_scheduled_and_current_and_refuses_past(admin):
    current = announce(admin, "Current", starts_at=T0 - HOUR)
    scheduled = announce(admin, "Later", starts_at=T0 + HOUR)
    service.end_announcement(admin, current, now=T0)
    service.end_announcement(admin, scheduled, now=T0)
    assert current.ends_at == T0 and current.starts_at == T0 - HOUR
    assert scheduled.starts_at == T0 and scheduled.ends_at == T0 and scheduled.is_past(T0)
    assert db.session.scalar(select(func.count()).select_from(ModAction)
                             .where(ModAction.action == "announcement.end")) == 2
    with pytest.raises(Conflict):
        service.end_announcement(admin, current, now=T0 + HOUR)


def test_preview_saves_nothing(admin):
    notice = service.preview(admin, Draft(title="Look", body="*soft*"), now=T0)
    assert notice.body_html == "<p><em>soft</em></p>"
    assert count(Announcement) == 0 and count(ModAction) == 0


def test_listing_groups_and_scopes(admin, board, board_mod):
    other = factories.make_board(slug="other")
    announce(admin, "Banner now", starts_at=T0 - HOUR)
    announce(admin, "Here later", placement="board", board_id=board.id, starts_at=T0 + HOUR)
    announce(admin, "Other now", placement="board", board_id=other.id, starts_at=T0 - HOUR)
    gone = announce(admin, "Here gone", placement="board", board_id=board.id,
                    starts_at=T0 - 2 * HOUR)
    service.end_announcement(admin, gone, now=T0 - HOUR)
    everything = service.manage_listing(Policy(admin), Scope.ALL, now=T0)
    assert {a.title for a in everything.current} == {"Banner now", "Other now"}
    assert [a.title for a in everything.scheduled] == ["Here later"]
    assert [a.title for a in everything.past] == ["Here gone"]
    mine = service.manage_listing(Policy(board_mod), Scope.BOARDS, now=T0)
    assert (mine.current, [a.title for a in mine.scheduled], [a.title for a in mine.past]) == (
        [], ["Here later"], ["Here gone"])
    assert [b.title for b in service.board_choices(Policy(board_mod))] == ["Here"]


def test_listing_refuses_members_and_shows_moderators_board_announcements_only(
        member, moderator, admin, board):
    with pytest.raises(Refused):
        service.manage_listing(Policy(member), Scope.BOARDS)
    announce(admin, "Banner", starts_at=T0 - HOUR)
    announce(admin, "Board", placement="board", board_id=board.id, starts_at=T0 - HOUR)
    for scope in Scope:
        shown = service.manage_listing(Policy(moderator), scope, now=T0)
        assert [a.title for a in shown.current] == ["Board"]
