"""The `flask --app wsgi forum …` commands: seed-demo, init and create-admin."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import and_, func, select

from forum.models import (
    Access,
    Announcement,
    Appeal,
    AppealStatus,
    Board,
    CannedResponse,
    Category,
    Event,
    EventRsvp,
    ItemStatus,
    ModAction,
    ModeratorNote,
    Notification,
    Placement,
    Post,
    PostRevision,
    Report,
    ReportItem,
    Role,
    Sanction,
    SanctionKind,
    TargetKind,
    Thread,
    ThreadMoveNotice,
    User,
    utcnow,
)
from forum.policy import Policy, standing
from forum.seeding import demo
from forum.seeding.demo import calming, content, tidying
from forum.services.accounts import account
from forum.services.desk import listing
from forum.services.desk.kinds import KINDS
from forum.services.moderation import report_queue
from forum.services.search.languages import board_language
from forum.stores import settings as stored_settings
from tests import factories

LOGIN_LINE = re.compile(r"^\s+(\S+) / (\S+)\s+\((\w+)\)$", re.MULTILINE)


def _seed(runner, *options):
    result = runner.invoke(args=["forum", "seed-demo", *options])
    assert result.exit_code == 0, result.output
    return result


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _table_counts(db) -> dict[str, int]:
    return {model.__name__: _count(db, model)
            for model in (Category, Board, User, Thread, Post, PostRevision, ReportItem, Report,
                          Sanction, ModAction, ModeratorNote, CannedResponse, Notification)}


# -- seed-demo ------------------------------------------------------------------------------
def test_seed_demo_builds_a_community(runner, db):
    started = utcnow()
    result = _seed(runner)

    assert 3 <= _count(db, Category) <= 4
    assert 8 <= _count(db, Board) <= 11
    assert _count(db, User) >= 15
    assert _count(db, Thread, Thread.is_deleted.is_(False)) >= 40
    assert _count(db, Post, Post.is_deleted.is_(False)) >= 200
    assert _count(db, User, User.role_value == Role.ADMIN) == 1
    assert _count(db, User, User.role_value == Role.MODERATOR) >= 1
    assert db.session.scalar(select(User).where(User.username == "mod")).role == Role.MODERATOR
    assert db.session.scalar(select(User).where(User.username == "member")).role == Role.MEMBER

    boards = db.session.scalars(select(Board)).all()
    assert all(board.description for board in boards)
    assert any(board.access == Access.MEMBERS for board in boards)
    lounge = next(board for board in boards if board.access == Access.STAFF)
    assert lounge.title == "Moderators' lounge" and lounge.thread_count >= 1
    news = next(board for board in boards if board.is_read_only)
    assert news.title == "Announcements" and news.thread_count >= 1
    news_authors = db.session.scalars(
        select(User).join(Post, Post.author_id == User.id)
        .join(Thread, Thread.id == Post.thread_id).where(Thread.board_id == news.id)
    ).all()
    assert news_authors and all(user.is_moderator for user in news_authors)

    # A merged thread stays as an empty pointer to the one it went into.
    threads = db.session.scalars(select(Thread).where(Thread.merged_into_id.is_(None))).all()
    assert all(0 <= thread.reply_count <= 25 for thread in threads)
    assert len({thread.board_id for thread in threads if thread.is_pinned}) >= 2
    locked = [thread for thread in threads if thread.is_locked]
    # Three locked now or for a while; the contest's thread closes when the contest ends.
    assert len(locked) == 4
    assert sum(1 for thread in locked if thread.lock_pending(started)) == 1
    for thread in locked:
        assert thread.locked_reason and thread.locked_by.username == "mod"
        # Locked after the last reply; the contest's thread takes entries until it closes.
        assert thread.locked_at >= thread.last_post_at or thread.lock_pending(started)
    _assert_calmed_threads(db, threads, started)
    _assert_tidied_threads(db, started)
    _assert_gatherings(db, started)
    _assert_engagement(db)
    assert _count(db, PostRevision) >= 3
    # A moderator tidied someone else's post, so the history shows who edited.
    assert _count(db, Post, Post.edited_by_id.is_not(None),
                  Post.edited_by_id != Post.author_id) >= 1
    assert _count(db, Post, Post.is_deleted.is_(True)) >= 1

    _assert_believable_people(db)
    _assert_timeline(db, started)
    _assert_counters_consistent(db)
    _assert_real_text(db)
    _assert_moderation_week(db, started)
    _assert_desk(db, content.get("en"))
    _assert_poll(db, content.get("en"))

    logins = LOGIN_LINE.findall(result.output)
    assert {name for name, _, _ in logins} == {"admin", "mod", "member"}
    roles = {"administrator": Role.ADMIN, "moderator": Role.MODERATOR, "member": Role.MEMBER}
    for name, password, role in logins:
        assert len(password) >= account.PASSWORD_MIN
        user = factories.password_matches(name, password)
        assert user is not None and user.role == roles[role]


def _assert_calmed_threads(db, threads, started):
    """A thread in slow mode with a moderator's notice, one locked for a day, one for good;
    each change logged and its author told."""
    now = utcnow()
    by_title = {thread.title: thread for thread in threads}
    slow = by_title[calming.SLOW_THREAD]
    assert slow.own_slow_mode(now) == 600 and slow.slow_mode_until > now + timedelta(days=2)
    notice = db.session.get(Post, slow.last_post_id)
    assert notice.is_mod_notice and notice.author.username == "mod"
    assert not slow.locked_now(now)

    paused = by_title[calming.PAUSED_THREAD]
    assert paused.locked_now(now) and started < paused.lock_ends_at <= now + timedelta(hours=24)
    assert not paused.locked_now(paused.lock_ends_at)

    closed = by_title[calming.CLOSED_THREAD]
    assert closed.locked_now(now + timedelta(days=365)) and closed.lock_ends_at is None

    logged = db.session.scalars(select(ModAction.action).where(
        ModAction.target_kind == "thread",
        ModAction.target_id.in_([slow.id, paused.id, closed.id]))).all()
    assert {"thread.slow_mode", "thread.lock", "thread.cool_down"} <= set(logged)
    told = db.session.scalars(select(Notification.recipient_id).where(
        Notification.link.in_([slow.url, paused.url, closed.url]))).all()
    assert {slow.author_id, paused.author_id, closed.author_id} <= set(told)


def _assert_tidied_threads(db, started):
    """A thread moved with a "moved" notice left in its old board, and a repeated question
    merged into the thread that answered it; both logged and the authors told."""
    moved = db.session.scalar(select(Thread).where(Thread.title == tidying.MOVED_THREAD))
    assert moved.board.slug == tidying.MOVED_TO
    notice = db.session.scalar(select(ThreadMoveNotice))
    assert notice.thread_id == moved.id and notice.board.slug == "networking"
    assert notice.shown_at(utcnow())
    merged = db.session.scalar(select(Thread).where(Thread.title == tidying.REPEATED_TITLE))
    target = db.session.scalar(select(Thread).where(Thread.title == tidying.MERGE_TARGET))
    assert merged.merged_into_id == target.id and merged.is_deleted
    assert _count(db, Post, Post.thread_id == merged.id) == 0
    logged = set(db.session.scalars(select(ModAction.action).where(
        ModAction.target_id.in_([moved.id, merged.id]), ModAction.target_kind == "thread")))
    assert {"thread.move", "thread.merge"} <= logged
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.link.in_([moved.url, target.url]))))
    assert {moved.author_id, merged.author_id} <= told


def _assert_engagement(db, expert: str = "kestrel", header: str = "Contest entry"):
    """A contest in its voting week with entries and votes, an expert Q&A with its expert and
    questions members voted for; the counts equal the rows."""
    from forum.models import Challenge, ChallengeEntry, ChallengeVote, EventQuestion, QuestionVote
    from forum.services.community import expert_qa

    now = utcnow()
    challenge = db.session.scalar(select(Challenge))
    assert challenge.phase(now) == "voting"
    entries = db.session.scalars(select(ChallengeEntry)).all()
    assert len(entries) == challenge.entry_count >= 4
    assert sum(entry.vote_count for entry in entries) == _count(db, ChallengeVote) >= 5
    qa = db.session.scalar(select(Event).where(Event.kind == "qa"))
    assert [row.user.username for row in expert_qa.experts(qa)] == [expert]
    assert all(header in entry.post.body for entry in entries)
    questions = expert_qa.questions(qa)
    assert len(questions) >= 4 and questions[0].vote_count >= 3
    assert sum(q.vote_count for q in questions) == _count(db, QuestionVote)
    assert not qa.has_started(now) and _count(db, EventQuestion) == len(questions)


def _assert_gatherings(db, started):
    """A current banner for everyone, a board announcement, and upcoming events of four kinds
    with answers, one nearly full; each with its discussion thread."""
    now = utcnow()
    current = [a for a in db.session.scalars(select(Announcement)) if a.is_current(now)]
    placements = {a.placement for a in current}
    assert {Placement.BANNER, Placement.BOARD} <= placements
    banner = next(a for a in current if a.placement == Placement.BANNER)
    assert banner.audience == "everyone" and banner.body_html
    listed = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    assert {event.kind for event in listed} >= {"qa", "livestream", "meetup", "contest"}
    for event in listed:
        assert event.starts_at > now and event.ends_at > event.starts_at
        assert event.thread is not None and event.thread.board_id == event.board_id
        assert event.going_count >= 4
        assert event.going_count == db.session.scalar(select(func.count()).select_from(
            EventRsvp).where(EventRsvp.event_id == event.id, EventRsvp.status == "going"))
    meetup = next(event for event in listed if event.kind == "meetup")
    assert meetup.capacity and meetup.capacity - meetup.going_count == 1
    assert meetup.location and meetup.rsvp_deadline < meetup.starts_at
    assert any(event.online_url for event in listed)
    assert len({event.timezone for event in listed}) >= 2


def _assert_believable_people(db):
    people = db.session.scalars(select(User)).all()
    assert len({user.display_name for user in people}) == len(people)
    assert all(user.bio and user.bio_html and user.location for user in people)
    assert len({user.timezone for user in people}) >= 8
    assert sum(1 for user in people if user.website) >= 3


def _assert_timeline(db, started):
    now = utcnow()
    posts = db.session.scalars(select(Post).order_by(Post.thread_id, Post.position)).all()
    assert all(started - timedelta(days=62) <= post.created_at <= now for post in posts)
    assert min(post.created_at for post in posts) < started - timedelta(days=50)
    by_thread = defaultdict(list)
    for post in posts:
        by_thread[post.thread_id].append(post)
    for thread_posts in by_thread.values():
        times = [post.created_at for post in thread_posts]
        assert times == sorted(times) and len(set(times)) == len(times)
    first_post = dict(db.session.execute(
        select(Post.author_id, func.min(Post.created_at)).group_by(Post.author_id)
    ).all())
    for user in db.session.scalars(select(User)):
        if user.id in first_post:
            assert user.created_at < first_post[user.id]
    for post in posts:
        if post.revision_count:
            assert post.edited_at > post.created_at
            assert _count(db, PostRevision, PostRevision.post_id == post.id) == post.revision_count


def _assert_counters_consistent(db):
    posts = db.session.scalars(select(Post)).all()
    threads = db.session.scalars(select(Thread).where(Thread.merged_into_id.is_(None))).all()
    by_thread = defaultdict(list)
    for post in posts:
        by_thread[post.thread_id].append(post)
    for thread in threads:
        thread_posts = sorted(by_thread[thread.id], key=lambda post: post.position)
        visible = [post for post in thread_posts if not post.is_deleted]
        assert [post.position for post in thread_posts] == list(range(1, len(thread_posts) + 1))
        assert thread.reply_count == len(visible) - 1, thread.title
        assert thread.post_seq == thread_posts[-1].position
        assert thread.first_post_id == thread_posts[0].id
        assert thread.last_post_id == visible[-1].id, thread.title
        assert thread.last_post_at == visible[-1].created_at
    for board in db.session.scalars(select(Board)):
        live = [thread for thread in threads if thread.board_id == board.id
                and not thread.is_deleted]
        visible = [post for thread in live for post in by_thread[thread.id]
                   if not post.is_deleted]
        assert board.thread_count == len(live), board.slug
        assert board.post_count == len(visible), board.slug
        newest = max(visible, key=lambda post: post.created_at)
        assert board.last_post_id == newest.id, board.slug
    for user in db.session.scalars(select(User)):
        own = [post for post in posts if post.author_id == user.id and not post.is_deleted]
        assert user.post_count == len(own), user.username
        assert user.thread_count == sum(
            1 for thread in threads if thread.author_id == user.id and not thread.is_deleted
        )


def _assert_real_text(db):
    titles = db.session.scalars(select(Thread.title)).all()
    bodies = db.session.scalars(select(Post.body)).all()
    assert len(set(titles)) == len(titles)
    assert len(set(bodies)) >= len(bodies) - 1  # one double post, deleted by its author
    for text in [*titles, *bodies]:
        assert "lorem" not in text.lower() and "ipsum" not in text.lower()
    assert not any(re.fullmatch(r"(Thread|Post|Topic) \d+", title) for title in titles)
    html = "\n".join(db.session.scalars(select(Post.body_html)))
    for element in ("<table>", "<pre><code", "<blockquote>", "<a href=", "<ol>", "<strong>"):
        assert element in html
    assert sum(1 for body in bodies if " wrote:\n> " in body) >= 10  # quoted replies


def _by_name(db, username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _assert_moderation_week(db, started):
    now = utcnow()
    mod = _by_name(db, "mod")
    items = db.session.scalars(select(ReportItem)).all()
    status = defaultdict(list)
    for item in items:
        status[item.status].append(item)
    # The queue: open items on a post, a thread and a member; one claimed by the demo moderator.
    assert len(status[ItemStatus.OPEN]) == 2 and len(status[ItemStatus.CLAIMED]) == 1
    assert len(status[ItemStatus.RESOLVED]) == 2 and len(status[ItemStatus.DISMISSED]) == 1
    [claimed] = status[ItemStatus.CLAIMED]
    assert claimed.claimed_by_id == mod.id and claimed.target_kind == TargetKind.THREAD
    assert {item.target_kind for item in status[ItemStatus.OPEN]} == {
        TargetKind.POST, TargetKind.USER}
    assert max(item.report_count for item in items if item.is_active) >= 3
    assert all(item.resolved_by_id == mod.id and item.resolution for item in items
               if not item.is_active)
    assert _count(db, Report) == sum(item.report_count for item in items)
    # The demo moderator's queue and log have something in them.
    assert report_queue.queue_page(Policy(mod)).total == 3
    logged = set(db.session.scalars(select(ModAction.action)))
    assert {"report.claim", "report.dismiss", "post.hide", "post.autohide", "user.warn",
            "user.timeout", "note.add", "canned.create"} <= logged
    # A warned member, and a timeout still in force after seeding.
    hothead = _by_name(db, "sparky_dan")
    [timeout] = standing.active_sanctions(hothead, now + timedelta(days=1))
    assert timeout.kind == SanctionKind.TIMEOUT and timeout.issuer_id == mod.id
    assert not Policy(hothead).posting_sanction()
    [warning] = db.session.scalars(select(Sanction).where(
        Sanction.kind == SanctionKind.WARNING)).all()
    assert warning.user_id == hothead.id
    assert warning.starts_at < timeout.starts_at < now - timedelta(hours=6)
    assert _count(db, ModeratorNote) >= 3
    titles = set(db.session.scalars(select(CannedResponse.title)))
    assert {"Please stay on topic", "Be kind", "Spam removed"} <= titles
    # "Spam removed" is a macro: picking it hides the post and warns the author as well.
    macro = db.session.scalar(select(CannedResponse).where(CannedResponse.title == "Spam removed"))
    assert (macro.actions, macro.sanction, macro.reason) == (["hide_post"], "warn", "Spam")
    # Everything happened in the last days, never in the future.
    # The threads' own history (a moderator's edit and delete weeks ago) is logged when it
    # happened, outside the week; with a reason, as every change to someone else's post.
    history = (ModAction.action.in_(["post.edit", "post.delete"]), ModAction.item_id.is_(None))
    older = db.session.scalars(select(ModAction).where(*history)).all()
    assert {entry.action for entry in older} == {"post.edit", "post.delete"}
    assert all(entry.reason and entry.created_at <= now for entry in older)
    times = [*db.session.scalars(select(Report.created_at)),
             *db.session.scalars(select(ModAction.created_at).where(~and_(*history))),
             *db.session.scalars(select(Sanction.starts_at))]
    assert all(started - timedelta(days=14) <= moment <= now for moment in times)
    # The log reads as a story: entries were written in the order they are dated.
    logged_times = list(db.session.scalars(select(ModAction.created_at).order_by(ModAction.id)))
    assert logged_times == sorted(logged_times)


def _assert_poll(db, chosen):
    """A running public poll in its thread, with the votes the set asks for, counted."""
    from forum.models import Poll, PollBallot, PollVote

    [poll] = db.session.scalars(select(Poll)).all()
    assert poll.thread.title == chosen.polled.thread and poll.question == chosen.polled.question
    assert poll.is_public and not poll.closed_now(utcnow())
    assert [option.votes for option in poll.options] == list(chosen.polled.votes)
    assert poll.voter_count == sum(chosen.polled.votes) == _count(db, PollBallot)
    assert _count(db, PollVote) == sum(chosen.polled.votes)


def _assert_desk(db, chosen):
    """The demo moderator's desk shows every kind of item, the open appeal and the two items
    the team shared out; a question board holds solved and unsolved questions."""
    mod, admin = _by_name(db, "mod"), _by_name(db, "admin")
    desk = listing.desk(Policy(mod))
    assert {code for code, count in desk.counts.items() if count} == set(KINDS)
    assert desk.open_appeals == 1 and desk.open_reports >= 1
    [appeal] = db.session.scalars(select(Appeal)).all()
    assert appeal.status == AppealStatus.OPEN and appeal.user.username == chosen.week.hothead
    # Nobody answered a few threads for a day and a half up to five days; none of them an
    # announcement (a read-only board waits for no one).
    unanswered = [item for item in desk.items if item.kind.code == "unanswered"]
    ages = sorted(item.waiting_seconds for item in unanswered)
    assert len(ages) == 3 and ages[0] >= 24 * 3600 and ages[-1] - ages[0] >= 3 * 24 * 3600
    assert not any(item.board.is_read_only for item in unanswered)
    assigned = {item.found.title: item.assignee.username for item in desk.items
                if item.assignee is not None}
    assert assigned == {chosen.desk.unsolved: "mod", chosen.desk.unanswered: "admin"}
    assert desk.mine == 1
    told = set(db.session.scalars(select(Notification.recipient_id)
                                  .where(Notification.key == "desk.assigned")))
    assert told == {mod.id, admin.id}
    # The question board: two solved (by the asker and by a moderator), the rest waiting.
    [board] = db.session.scalars(select(Board).where(Board.is_questions.is_(True))).all()
    questions = db.session.scalars(select(Thread).where(Thread.board_id == board.id)).all()
    solved = [thread for thread in questions if thread.accepted_post_id]
    assert {thread.title for thread in solved} == {chosen.desk.solved_by_asker[0],
                                                   chosen.desk.solved_by_team[0]}
    for thread in solved:
        answer = db.session.get(Post, thread.accepted_post_id)
        assert answer.thread_id == thread.id and answer.id != thread.first_post_id
    marked = {entry.actor_id for entry in db.session.scalars(
        select(ModAction).where(ModAction.action == "thread.accept_answer"))}
    asker = next(thread.author_id for thread in solved
                 if thread.title == chosen.desk.solved_by_asker[0])
    assert marked == {asker, mod.id}
    assert len(questions) - len(solved) >= 2


def test_seed_demo_twice_changes_nothing(runner, db):
    _seed(runner)
    before = _table_counts(db)

    again = _seed(runner)

    assert "already seeded" in again.output
    assert "admin / admin-demo-pass" in again.output
    assert _table_counts(db) == before


def test_seed_demo_leaves_a_forum_with_content_alone(runner, db):
    factories.make_category("Our own category")

    result = _seed(runner)

    assert "only fills an empty forum" in result.output
    assert "Demo logins" not in result.output
    assert _count(db, User) == 0 and _count(db, Category) == 1


def test_seed_demo_refuses_when_a_demo_username_is_taken(runner, db):
    factories.make_user(username="admin", role="admin")

    result = _seed(runner)

    assert "'admin' already exists" in result.output
    assert _count(db, Category) == 0 and _count(db, User) == 1


def test_seed_demo_in_german(runner, db):
    started = utcnow()
    result = _seed(runner, "--lang", "de")

    german = content.get("de")
    assert _count(db, Category) == 4
    assert _count(db, Board) == 9
    assert _count(db, Thread, Thread.is_deleted.is_(False)) >= 35
    assert _count(db, Post, Post.is_deleted.is_(False)) >= 150
    titles = set(db.session.scalars(select(Thread.title)))
    assert "Reverse Proxy: Caddy, Traefik oder nginx?" in titles
    assert "Frag die Expertin: Stromsparendes ESP32-Design mit Sabine" in titles
    english = {script.title for script in content.get("en").scripts()}
    assert not titles & english
    assert db.session.scalar(select(Board).where(Board.slug == "mikrocontroller")).title == (
        "Mikrocontroller")
    lounge = db.session.scalar(select(Board).where(Board.access == Access.STAFF))
    assert lounge.slug == german.staff_board and lounge.thread_count >= 1
    bodies = list(db.session.scalars(select(Post.body)))
    assert any(" schrieb:\n> " in body for body in bodies)  # quotes headed in German
    assert not any(" wrote:\n> " in body for body in bodies)

    # The same scenes as in English, played with the German cast and words.
    threads = db.session.scalars(select(Thread).where(Thread.merged_into_id.is_(None))).all()
    by_title = {thread.title: thread for thread in threads}
    assert by_title[german.heated.slow_thread].slow_mode_seconds == 600
    assert by_title[german.heated.closed_thread].is_locked
    moved = by_title[german.tidied.moved_thread]
    assert moved.board.slug == german.tidied.moved_to
    assert _count(db, Thread, Thread.merged_into_id.is_not(None)) == 1
    assert _count(db, Sanction) == 2 and _count(db, Event) == 5
    _assert_engagement(db, expert="loetfuchs", header="Einreichung zum Wettbewerb")
    _assert_timeline(db, started)
    _assert_counters_consistent(db)
    _assert_desk(db, german)
    _assert_poll(db, german)

    logins = LOGIN_LINE.findall(result.output)
    assert {name for name, _, _ in logins} == {"admin", "mod", "member"}
    assert "Seeded 4 categories, 9 boards" in result.output

    again = _seed(runner, "--lang", "de")
    assert "already seeded" in again.output


def test_seed_demo_refuses_an_unknown_language(runner, db):
    result = runner.invoke(args=["forum", "seed-demo", "--lang", "xx"])

    assert result.exit_code == 2
    assert "Invalid value for '--lang'" in result.output and "'de'" in result.output
    assert _count(db, Category) == 0 and _count(db, User) == 0


def test_a_german_demo_makes_german_the_forums_default(db):
    admin = factories.make_user(username="admin", role="admin")
    board = factories.make_board()

    demo._mark_language("de", admin)

    stored_settings.clear_cache()
    assert stored_settings.get("default_language") == "de"
    assert board.language is None and board_language(board.language) == "de"  # follows it
    logged = db.session.scalars(select(ModAction).where(ModAction.action == "setting.change"))
    assert [entry.after for entry in logged] == [{"value": "de"}]


# -- create-admin ---------------------------------------------------------------------------
def _create_admin(runner, username="root1", email="r@example.com", password="long enough pw"):
    return runner.invoke(args=["forum", "create-admin", "--username", username,
                               "--email", email, "--password", password])


def test_create_admin_non_interactive(runner, db):
    result = _create_admin(runner)

    assert result.exit_code == 0, result.output
    assert "Created administrator root1" in result.output
    user = factories.password_matches("root1", "long enough pw")
    assert user is not None and user.role == Role.ADMIN and user.email == "r@example.com"


def test_create_admin_prompts_when_options_are_missing(runner, db):
    result = runner.invoke(
        args=["forum", "create-admin"],
        input="root2\nr2@example.com\nlong enough pw\nlong enough pw\n",
    )

    assert result.exit_code == 0, result.output
    assert factories.password_matches("root2", "long enough pw").role == Role.ADMIN


def test_create_admin_refuses_a_short_password(runner, db):
    result = _create_admin(runner, password="short")

    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert _count(db, User) == 0


def test_create_admin_refuses_a_bad_email(runner, db):
    result = _create_admin(runner, email="not-an-email")

    assert result.exit_code != 0
    assert "email address isn't valid" in result.output
    assert _count(db, User) == 0


def test_create_admin_promotes_an_existing_member(runner, db, member):
    result = _create_admin(runner, username="Member", email="whatever@example.com")

    assert result.exit_code == 0, result.output
    assert "member is now an administrator" in result.output
    db.session.refresh(member)
    assert member.role == Role.ADMIN
    # Promotion leaves the account's password and email as they were.
    assert factories.password_matches("member", factories.PASSWORD) is not None
    assert member.email == "member@example.com"


def test_create_admin_on_an_administrator_changes_nothing(runner, db, admin):
    result = _create_admin(runner, username="admin")

    assert result.exit_code == 0, result.output
    assert "already an administrator" in result.output


# -- init ------------------------------------------------------------------------------------
def test_init_no_demo_asks_for_the_first_administrator(runner, db):
    result = runner.invoke(
        args=["forum", "init", "--no-demo"],
        input="founder\nfounder@example.com\nlong enough pw\nlong enough pw\n",
    )

    assert result.exit_code == 0, result.output
    # The password is asked twice and never echoed.
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert "long enough pw" not in result.output
    assert "“General discussion” (/b/general-discussion)" in result.output
    founder = factories.password_matches("founder", "long enough pw")
    assert founder is not None and founder.role == Role.ADMIN
    [category] = db.session.scalars(select(Category)).all()
    [board] = db.session.scalars(select(Board)).all()
    assert (category.title, board.title, board.category_id) == (
        "General", "General discussion", category.id)
    assert _count(db, User) == 1 and _count(db, Thread) == 0
    assert sorted(db.session.scalars(select(ModAction.action))) == [
        "board.create", "category.create"]


def test_init_no_demo_with_options(runner, db):
    result = runner.invoke(args=["forum", "init", "--no-demo", "--username", "founder",
                                 "--email", "f@example.com", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    assert factories.password_matches("f@example.com", "long enough pw").is_admin


def test_init_no_demo_refuses_a_forum_with_content(runner, db):
    factories.make_user()
    result = runner.invoke(args=["forum", "init", "--no-demo", "--username", "founder",
                                 "--email", "f@example.com", "--password", "long enough pw"])
    assert result.exit_code == 1
    assert "already has accounts" in result.output
    assert _count(db, Category) == 0


def test_init_no_demo_refuses_boards_without_accounts(runner, db):
    factories.make_board()
    result = runner.invoke(args=["forum", "init", "--no-demo"], input="x\n")
    assert result.exit_code == 1 and "already has categories or boards" in result.output
    assert _count(db, User) == 0


def test_init_no_demo_refuses_a_bad_administrator_and_leaves_nothing(runner, db):
    result = runner.invoke(args=["forum", "init", "--no-demo", "--username", "founder",
                                 "--email", "not an email", "--password", "long enough pw"])
    assert result.exit_code == 1 and "isn't valid" in result.output
    assert _count(db, User) == 0 and _count(db, Category) == 0 and _count(db, Board) == 0


def test_init_without_no_demo_seeds_the_demo(runner, db):
    result = runner.invoke(args=["forum", "init"])
    assert result.exit_code == 0, result.output
    assert _count(db, Board) == 11
    assert LOGIN_LINE.search(result.output)
