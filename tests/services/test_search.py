"""Search: the index follows the database, queries respect who may see what."""
from __future__ import annotations

import logging
import multiprocessing
import re
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update
from whoosh.filedb.filestore import FileStorage

from forum import create_app
from forum.errors import NotFound, Refused
from forum.extensions import db
from forum.models import Access, Board, Post, PostSearch, Setting, Thread, User
from forum.services.content import posting
from forum.services.search import backend, engines, query, sync
from forum.services.search.index import PostRecord, document
from forum.services.site import settings as site_settings

from .. import factories

# Every write in these tests reaches the index, as in the app: searching is the subject, and a
# check that something is *not* found means nothing against an index that was never written.
pytestmark = [pytest.mark.search, pytest.mark.engines]


# -- helpers ----------------------------------------------------------------------------------
def find(actor, q, **params):
    return query.search(actor, query.SearchParams(q=q, **params))


def ids(outcome):
    assert outcome.error is None, outcome.error
    return [hit.post.id for hit in outcome.hits]


def on_whoosh():
    return backend.name() == backend.WHOOSH


def stored(post_id):
    """What the engine holds for a post, or None: Whoosh's document, or the row of its
    PostgreSQL vector (its "language" and "vector")."""
    if on_whoosh():
        return sync.current_index().searcher().document(id=str(post_id))
    row = db.session.execute(select(PostSearch.language, PostSearch.vector)
                             .where(PostSearch.post_id == post_id)).first()
    return None if row is None else {"language": row.language, "vector": row.vector}


def indexed_ids():
    if on_whoosh():
        searcher = sync.current_index().searcher()
        return {int(doc["id"]) for doc in searcher.all_stored_fields()}
    return set(db.session.scalars(select(PostSearch.post_id)))


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, member, title="Sourdough starter troubles",
                                 body="My levain smells like acetone.")


# -- the index follows the database -----------------------------------------------------------
@pytest.mark.whoosh
def test_new_thread_and_reply_are_indexed_with_their_fields(thread, member, other_member):
    reply = factories.make_post(thread, other_member, body="Feed it **twice** a day with rye.")
    opening = stored(thread.first_post_id)
    assert opening["thread_id"] == str(thread.id)
    assert opening["board_id"] == str(thread.board_id)
    assert opening["author"] == "member"
    assert opening["flags"] == "visible"
    doc = stored(reply.id)
    assert doc["author_id"] == str(other_member.id)
    assert doc["created"] == reply.created_at.astimezone(UTC).replace(tzinfo=None)
    assert ids(find(None, "rye")) == [reply.id]
    assert ids(find(None, "levain")) == [thread.first_post_id]


def test_title_is_searchable_and_ranks_first(board, member):
    talker = factories.make_thread(board, member, title="Bread chat",
                                   body="Kubernetes kubernetes kubernetes, kubernetes again.")
    titled = factories.make_thread(board, member, title="Kubernetes for bakers",
                                   body="Ovens in containers, roughly.")
    result = ids(find(None, "kubernetes"))
    assert result == [titled.first_post_id, talker.first_post_id]
    # The title lives on the opening post only, so a reply is found by its own words.
    reply = factories.make_post(titled, member, body="Nothing about clusters.")
    assert reply.id not in ids(find(None, "kubernetes"))


def test_edit_replaces_the_indexed_text(thread, member):
    post = db.session.get(Post, thread.first_post_id)
    posting.edit_post(member, post, "Now it smells of banana.")
    assert ids(find(None, "acetone")) == []
    assert ids(find(None, "banana")) == [post.id]


def test_markdown_is_indexed_as_plain_text(board, member):
    thread = factories.make_thread(
        board, member, title="Links", body="See [the guide](https://example.com/x) and `grep`."
    )
    doc_text = query.search(None, query.SearchParams(q="guide")).hits[0].snippet
    assert "https" not in str(doc_text) and "[" not in str(doc_text)
    assert ids(find(None, "grep")) == [thread.first_post_id]


def test_formatting_inside_a_line_parts_no_words_in_the_index_or_the_snippet(board, member):
    thread = factories.make_thread(
        board, member, title="Sale",
        body="*This week only*, use code `SAVE10`: **un**believ*able*.\n\n- first\n- second",
    )
    assert ids(find(None, "unbelievable")) == [thread.first_post_id]
    assert ids(find(None, "believ")) == []
    snippet = find(None, "code").hits[0].snippet
    assert str(snippet) == ("This week only, use <mark>code</mark> SAVE10: unbelievable. "
                            "first second")


def test_deleted_reply_disappears_for_members_but_moderators_may_include_it(
    thread, member, other_member, moderator
):
    reply = factories.make_post(thread, other_member, body="Spam spam wonderful spam.")
    posting.delete_post(other_member, reply)
    if on_whoosh():  # PostgreSQL reads who may see it from the rows
        assert stored(reply.id)["flags"] == "withheld deleted"
    assert ids(find(member, "wonderful")) == []
    assert ids(find(member, "wonderful", include_hidden=True)) == []  # not theirs to ask
    assert ids(find(moderator, "wonderful")) == []  # moderators opt in
    outcome = find(moderator, "wonderful", include_hidden=True)
    assert ids(outcome) == [reply.id]
    assert outcome.hits[0].withheld


def test_deleting_the_opening_post_deletes_the_thread_in_the_index(board, member, moderator):
    thread = factories.make_thread(board, member, title="Lonely question", body="Anyone here?")
    posting.delete_post(member, db.session.get(Post, thread.first_post_id))
    if on_whoosh():  # PostgreSQL reads who may see it from the rows
        flags = set(stored(thread.first_post_id)["flags"].split())
        assert flags == {"withheld", "deleted", "thread_deleted"}
    assert ids(find(None, "lonely")) == []
    assert ids(find(moderator, "lonely", include_hidden=True)) == [thread.first_post_id]


def test_a_deleted_thread_takes_every_post_out_of_member_results(thread, member, other_member):
    reply = factories.make_post(thread, other_member, body="Rye flour helps.")
    thread.is_deleted = True
    db.session.commit()
    if on_whoosh():  # PostgreSQL reads who may see it from the rows
        assert stored(reply.id)["flags"] == "withheld thread_deleted"
    assert ids(find(member, "rye")) == []
    thread.is_deleted = False  # a restore
    db.session.commit()
    assert ids(find(member, "rye")) == [reply.id]


def test_moving_and_renaming_a_thread_reindexes_its_posts(thread, member, other_member):
    reply = factories.make_post(thread, other_member, body="Rye flour helps.")
    elsewhere = factories.make_board(slug="baking", title="Baking")
    thread.board_id = elsewhere.id
    thread.title = "Levain that smells of nail polish"
    db.session.commit()
    if on_whoosh():  # PostgreSQL reads who may see it from the rows
        assert stored(reply.id)["board_id"] == str(elsewhere.id)
    assert ids(find(None, "polish")) == [thread.first_post_id]
    assert ids(find(None, "sourdough")) == []
    assert ids(find(None, "rye", board_id=elsewhere.id)) == [reply.id]


def test_bulk_updates_of_watched_columns_are_followed(thread, member, other_member):
    reply = factories.make_post(thread, other_member, body="Rye flour helps.")
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(title="Pizza ovens"))
    db.session.execute(update(Post).where(Post.id == reply.id).values(is_deleted=True))
    db.session.commit()
    assert ids(find(None, "pizza")) == [thread.first_post_id]
    assert ids(find(None, "rye")) == []


def test_counter_updates_cost_no_extra_queries(thread, member, count_queries):
    # posting.reply bumps counters with bulk UPDATEs; only its one read-back query is ours.
    with count_queries() as queries:
        posting.reply(member, thread, "Counting queries.")
    ours = [q for q in queries if "body_html" in q and q.lstrip().upper().startswith("SELECT")]
    assert len(ours) == 1


def test_hard_deletes_leave_the_index(thread, member, other_member):
    reply = factories.make_post(thread, other_member, body="Rye flour helps.")
    db.session.delete(db.session.get(Post, reply.id))
    db.session.commit()
    assert stored(reply.id) is None
    db.session.execute(update(Thread).where(Thread.id == thread.id)
                       .values(first_post_id=None, last_post_id=None))
    db.session.execute(delete(Post).where(Post.thread_id == thread.id))
    db.session.execute(delete(Thread).where(Thread.id == thread.id))
    db.session.commit()
    assert stored(thread.first_post_id) is None


def test_a_rollback_indexes_nothing(thread, member):
    post = db.session.get(Post, thread.first_post_id)
    post.body_html = "<p>Zeppelin</p>"
    db.session.flush()
    db.session.rollback()
    posting.reply(member, thread, "An unrelated reply.")  # a later commit must not carry it
    assert ids(find(None, "zeppelin")) == []


def test_a_renamed_author_is_found_under_the_new_name(thread, member):
    member.username, member.username_key = "Baker", "baker"
    db.session.commit()
    assert ids(find(None, "author:baker")) == [thread.first_post_id]


def test_hidden_posts_are_withheld_like_deleted_ones(thread, member, other_member, moderator):
    reply = factories.make_post(thread, other_member, body="Hidden hazelnut.")
    post = db.session.get(Post, reply.id)
    post.is_hidden = True  # what moderation's hide does
    db.session.commit()
    if on_whoosh():  # PostgreSQL reads who may see it from the rows
        assert stored(reply.id)["flags"] == "withheld hidden"
    assert ids(find(other_member, "hazelnut")) == []
    assert ids(find(moderator, "hazelnut", include_hidden=True)) == [reply.id]
    post.is_hidden = False
    db.session.commit()
    assert ids(find(member, "hazelnut")) == [reply.id]


def test_hidden_posts_are_flagged_even_before_the_column_exists():
    record = PostRecord(
        post_id=1, thread_id=2, board_id=3, author_id=4, author_name="a", position=2,
        created_at=datetime(2024, 1, 1, tzinfo=UTC), title="T", body_html="<p>x &amp; y</p>",
        post_hidden=True,
    )
    doc = document(record)
    assert doc["flags"] == "withheld hidden"
    assert doc["body_en"] == "x & y"
    assert "title" not in doc  # replies carry no title


# -- failures never block the post ------------------------------------------------------------
@pytest.mark.whoosh
def test_a_locked_index_logs_and_keeps_the_post_and_reindex_repairs_it(
    app, thread, member, caplog
):
    state = sync.current_index()
    state.lock_timeout = 0.05
    lock = FileStorage(state.path).lock("MAIN_WRITELOCK")
    assert lock.acquire()
    try:
        with caplog.at_level(logging.ERROR):
            reply = posting.reply(member, thread, "Written while the index was busy.")
    finally:
        lock.release()
    assert db.session.get(Post, reply.id) is not None
    assert stored(reply.id) is None
    assert "forum reindex" in caplog.text
    count, seconds = sync.rebuild()
    assert count == 2 and seconds >= 0
    assert ids(find(None, "busy")) == [reply.id]


@pytest.mark.whoosh
def test_a_broken_index_never_raises_into_the_request(app, thread, member, caplog, monkeypatch):
    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(sync.current_index(), "apply", explode)
    with caplog.at_level(logging.ERROR):
        reply = posting.reply(member, thread, "Still saved.")
    assert reply.id and "disk full" in caplog.text


# -- rebuilding -------------------------------------------------------------------------------
def test_paused_skips_indexing_and_rebuild_catches_up(app, board, member):
    with sync.paused():
        thread = factories.make_thread(board, member, title="Quiet seeding", body="Bulk loaded.")
    assert stored(thread.first_post_id) is None
    progress = []
    count = engines.current().rebuild(progress=progress.append)
    assert count == 1 and sum(progress) == 1
    assert ids(find(None, "quiet")) == [thread.first_post_id]


@pytest.mark.whoosh
def test_rebuild_starts_over_when_the_index_is_gone(app, thread):
    state = sync.current_index()
    shutil.rmtree(state.path)
    state._ix = None
    assert sync.rebuild()[0] == 1
    assert ids(find(None, "acetone")) == [thread.first_post_id]


@pytest.mark.whoosh
def test_rebuild_drops_documents_for_rows_that_no_longer_exist(app, thread, member):
    with sync.current_index().writer() as writer:
        writer.add_document(id="999999", board_id=str(thread.board_id), flags="visible",
                            body_en="ghost acetone")
    sync.rebuild()
    assert stored(999999) is None


def test_reindex_command_reports_count_and_time(app, runner, thread, member):
    factories.make_post(thread, member, body="A second post.")
    if on_whoosh():
        shutil.rmtree(sync.current_index().path)
        sync.current_index()._ix = None
    else:
        db.session.execute(delete(PostSearch))
        db.session.commit()
    assert ids(find(None, "acetone")) == []
    result = runner.invoke(args=["forum", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing posts" in result.output
    assert re.search(r"Indexed 2 posts in \d+\.\d s", result.output)
    assert ids(find(None, "acetone")) == [thread.first_post_id]


# -- who sees what ----------------------------------------------------------------------------
@pytest.fixture
def boards(app, member, other_member):
    public = factories.make_board(slug="public", title="Public")
    members = factories.make_board(slug="members", title="Members", access=Access.MEMBERS)
    staff = factories.make_board(slug="staff", title="Staff", access=Access.STAFF)
    staff2 = factories.make_board(slug="staff2", title="Staff two", access=Access.STAFF)
    author = factories.make_user(username="writer", role="moderator")
    threads = {
        name: factories.make_thread(b, author, title=f"Marmalade {name}", body="Seville oranges")
        for name, b in (("public", public), ("members", members), ("staff", staff),
                        ("staff2", staff2))
    }
    for name in list(threads):
        deleted = factories.make_post(threads[name], author, body=f"Deleted marmalade {name}")
        posting.delete_post(author, deleted)
        threads[name + "-deleted"] = deleted
    return {"public": public, "members": members, "staff": staff, "staff2": staff2,
            "threads": threads}


def _found(actor, **params):
    outcome = find(actor, "marmalade", **params)
    names = set()
    for hit in outcome.hits:
        name = hit.board.slug
        names.add(f"{name}-deleted" if hit.withheld else name)
    return names


def test_guests_see_public_boards_only(boards):
    assert _found(None) == {"public"}
    assert _found(None, include_hidden=True) == {"public"}


def test_members_see_member_boards_but_never_staff_or_deleted(boards, member):
    assert _found(member) == {"public", "members"}
    assert _found(member, include_hidden=True) == {"public", "members"}


def test_board_moderators_see_their_board_and_its_deleted_posts_only(boards, member):
    factories.make_board_moderator(member, boards["staff"])
    assert _found(member) == {"public", "members", "staff"}
    assert _found(member, include_hidden=True) == {
        "public", "members", "staff", "staff-deleted"
    }


def test_global_moderators_see_everything_when_they_ask(boards, moderator):
    everything = {"public", "members", "staff", "staff2"}
    assert _found(moderator) == everything
    assert _found(moderator, include_hidden=True) == everything | {
        f"{name}-deleted" for name in everything
    }


def test_a_board_filter_cannot_reach_an_unseen_board(boards, member):
    outcome = find(member, "marmalade", board_id=boards["staff"].id)
    assert outcome.error == "There is no such board."
    assert outcome.hits is None


def test_a_stale_index_never_leaks(board, member, other_member):
    thread = factories.make_thread(board, member, title="Stale", body="Leaky words here.")
    with sync.paused():
        posting.delete_post(member, db.session.get(Post, thread.first_post_id))
    if on_whoosh():
        assert stored(thread.first_post_id)["flags"] == "visible"  # the index missed it
    assert ids(find(other_member, "leaky")) == []


def test_searchable_boards_are_the_viewable_ones(boards, member):
    outcome = find(member, "")
    assert [b.slug for b in outcome.boards] == ["public", "members"]
    assert outcome.hits is None
    assert not outcome.can_search_hidden


# -- filters, sorting and pages ---------------------------------------------------------------
def test_author_board_thread_filters(board, member, other_member):
    first = factories.make_thread(board, member, title="Tomatoes", body="Blight again.")
    reply = factories.make_post(first, other_member, body="Blight is a fungus.")
    second = factories.make_thread(board, other_member, title="Potatoes", body="Blight too!")
    assert set(ids(find(None, "blight"))) == {first.first_post_id, reply.id, second.first_post_id}
    assert set(ids(find(None, "blight", author="OTHER"))) == {reply.id, second.first_post_id}
    assert set(ids(find(None, "blight", thread_id=first.id))) == {first.first_post_id, reply.id}
    unknown = find(None, "blight", author="nobody")
    assert unknown.hits == [] and "nobody" in unknown.notice


def test_thread_filter_refuses_missing_and_unseen_threads(app, member):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    hidden = factories.make_thread(staff, factories.make_user(role="moderator"))
    with pytest.raises(NotFound):
        find(member, "x", thread_id=424242)
    with pytest.raises(Refused):
        find(member, "x", thread_id=hidden.id)


def test_date_range_uses_the_viewers_time_zone(board, member, other_member):
    thread = factories.make_thread(board, member, title="Dates", body="Opening words.")
    late = posting.reply(member, thread, "Fireworks at midnight.",
                         now=datetime(2024, 12, 31, 23, 30, tzinfo=UTC))
    assert ids(find(None, "fireworks", date_from=date(2024, 12, 31),
                    date_to=date(2024, 12, 31))) == [late.id]
    assert ids(find(None, "fireworks", date_from=date(2025, 1, 1))) == []
    other_member.timezone = "Europe/Berlin"  # 00:30 on 1 January there
    db.session.commit()
    assert ids(find(other_member, "fireworks", date_from=date(2025, 1, 1),
                    date_to=date(2025, 1, 1))) == [late.id]
    assert find(None, "fireworks", date_from=date(2025, 1, 2),
                date_to=date(2025, 1, 1)).error


def test_newest_first_and_pages(board, member):
    thread = factories.make_thread(board, member, title="Counting", body="Start here.")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    posts = [posting.reply(member, thread, f"Sheep number {n}.", now=start + timedelta(hours=n))
             for n in range(25)]
    first = find(None, "sheep", sort="newest")
    assert (first.total, first.pages) == (25, 2)
    assert ids(first) == [p.id for p in reversed(posts)][:20]
    second = find(None, "sheep", sort="newest", page=2)
    assert ids(second) == [p.id for p in reversed(posts)][20:]
    with pytest.raises(NotFound):
        find(None, "sheep", page=3)


@pytest.mark.parametrize("text", ['title:(', '"unclosed', 'AND OR', "(a", "b)", "the", "*",
                                  "x" * 201])
def test_bad_syntax_gives_a_message(app, text):
    outcome = find(None, text)
    assert outcome.error and outcome.hits is None


@pytest.mark.parametrize("text", ["title:sourdough", '"acetone"', "levain OR nothing",
                                  "levain NOT banana", "levai*", "author:member"])
def test_query_syntax_members_can_use(thread, text):
    assert ids(find(None, text)) == [thread.first_post_id]


def test_snippets_escape_everything_but_the_marks(board, member):
    factories.make_thread(board, member, title='<b>Beware</b> "><img src=x onerror=alert(1)>',
                          body='`<script>alert("beware")</script>` "><img onerror=x> beware')
    hit = find(None, "beware").hits[0]
    for html in (str(hit.title), str(hit.snippet)):
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert "<mark>" in html
    assert "&lt;script&gt;" in str(hit.snippet)


def test_long_posts_get_a_snippet_around_the_first_match(board, member):
    body = " ".join(["filler"] * 200 + ["the", "Hedgehog", "sleeps"] + ["padding"] * 200)
    factories.make_thread(board, member, title="Long", body=body)
    snippet = str(find(None, "hedgehogs").hits[0].snippet)
    assert snippet.startswith("… filler") and snippet.endswith("padding …")
    assert "the <mark>Hedgehog</mark> sleeps" in snippet
    assert len(snippet) < 300


# -- several processes write at once ----------------------------------------------------------
def _write_replies(config: dict, thread_id: int, user_id: int, label: str, count: int) -> None:
    app = create_app({**config, "MEMBER_COOLDOWNS": False})  # many posts a second, on purpose
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        user = db.session.get(User, user_id)
        for n in range(count):
            posting.reply(user, thread, f"Concurrent {label} number {n}.")
            db.session.expire_all()
        db.session.remove()
        db.engine.dispose()


def test_two_processes_writing_at_once_lose_nothing(app, thread, member, other_member):
    config = {key: app.config[key] for key in (
        "SQLALCHEMY_DATABASE_URI", "FORUM_SEARCH_INDEX", "SECRET_KEY", "TESTING",
        "SEARCH_BACKEND",
    )}
    config["INSTANCE_PATH"] = app.instance_path
    config["FORUM_SEARCH_LOCK_TIMEOUT"] = 30.0
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_replies, args=(config, thread.id, user.id, label, 12))
        for user, label in ((member, "alpha"), (other_member, "beta"))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    db.session.expire_all()
    post_ids = {p.id for p in db.session.query(Post).filter(Post.thread_id == thread.id)}
    assert len(post_ids) == 25
    assert indexed_ids() == post_ids


@pytest.mark.whoosh
def test_rebuild_keeps_a_current_index_and_replaces_an_outdated_one(app, thread):
    from whoosh.fields import ID, Schema
    from whoosh.index import create_in

    state = sync.current_index()
    sync.rebuild()
    assert state._ix is not None and ids(find(None, "acetone")) == [thread.first_post_id]
    generation = state.open().latest_generation()
    sync.rebuild()  # same schema: one more generation of the same index
    assert state.open().latest_generation() == generation + 1
    state._ix = create_in(state.path, Schema(id=ID(stored=True, unique=True)))
    sync.rebuild()
    assert "body_en" in state.open().schema.names()
    assert ids(find(None, "acetone")) == [thread.first_post_id]


# -- kept results -----------------------------------------------------------------------------
@pytest.mark.whoosh
def test_a_repeated_search_is_answered_from_the_kept_page(thread, member, monkeypatch):
    factories.make_post(thread, member, body="Rye flour wakes a starter.")
    first = find(None, "rye")
    from whoosh.searching import Searcher

    def no_search(*args, **kwargs):
        raise AssertionError("searched the index again")

    monkeypatch.setattr(Searcher, "search", no_search)
    again = find(None, "rye")
    assert ids(again) == ids(first) and again.total == first.total == 1


def test_kept_results_end_when_the_index_changes(thread, member, other_member):
    reply = factories.make_post(thread, member, body="Rye flour wakes a starter.")
    assert ids(find(None, "rye")) == [reply.id]
    later = factories.make_post(thread, other_member, body="More rye, less water.")
    assert sorted(ids(find(None, "rye"))) == sorted([reply.id, later.id])
    posting.delete_post(other_member, db.session.get(Post, later.id))
    assert ids(find(None, "rye")) == [reply.id]


def test_the_kept_exclusions_are_each_viewers_own(board, member, moderator):
    secret = factories.make_board(slug="staff-room", title="Staff", access=Access.STAFF)
    factories.make_thread(secret, moderator, title="Quarterly rye budget", body="Numbers.")
    open_thread = factories.make_thread(board, member, title="Rye bread", body="Crumb.")
    assert ids(find(None, "rye")) == [open_thread.first_post_id]
    assert len(ids(find(moderator, "rye"))) == 2
    assert ids(find(None, "rye")) == [open_thread.first_post_id]


# -- languages --------------------------------------------------------------------------------
@pytest.fixture
def german(app):
    return factories.make_board(slug="werkstatt", title="Werkstatt", language="de")


@pytest.mark.parametrize("singular, plural", [
    ("Platine", "Platinen"), ("Lötstation", "Lötstationen"), ("Gehäuse", "Gehäusen"),
    ("Schraube", "Schrauben"),
])
def test_german_posts_are_stemmed_in_german(german, member, singular, plural):
    one = factories.make_thread(german, member, title="Frage", body=f"Eine {singular} hier.")
    many = factories.make_thread(german, member, title="Noch eine", body=f"Zwei {plural} dort.")
    expected = sorted([one.first_post_id, many.first_post_id])
    assert sorted(ids(find(None, singular))) == expected
    assert sorted(ids(find(None, plural))) == expected


def test_umlauts_fold_both_ways_and_digraphs_read_as_umlauts(german, member):
    umlaut = factories.make_thread(german, member, title="Werkzeug", body="Meine Lötstation.")
    bare = factories.make_thread(german, member, title="Werkzeug", body="Deine Lotstation.")
    both = sorted([umlaut.first_post_id, bare.first_post_id])
    for typed in ("Lötstation", "Lotstation", "lötstation", "LOTSTATION", "Loetstation",
                  "Lötstationen", "Loetstationen"):
        assert sorted(ids(find(None, typed))) == both, typed


def test_sharp_s_is_ss(german, member):
    thread = factories.make_thread(german, member, title="Unterwegs", body="Die Straße ist nass.")
    for typed in ("Straße", "Strasse", "strassen", "STRASSE"):
        assert ids(find(None, typed)) == [thread.first_post_id], typed


def test_digraphs_never_replace_the_word_as_typed(german, board, member):
    fire = factories.make_thread(german, member, title="Achtung", body="Das Feuer brennt.")
    queue = factories.make_thread(board, member, title="Jobs", body="The print queue stalls.")
    assert ids(find(None, "Feuer")) == [fire.first_post_id]
    assert ids(find(None, "queue")) == [queue.first_post_id]
    assert ids(find(None, "queues")) == [queue.first_post_id]


def test_english_stemming_still_works(board, member):
    thread = factories.make_thread(board, member, title="Wiring",
                                   body="The board connected at last.")
    for typed in ("connect", "connected", "connection", "connecting"):
        assert ids(find(None, typed)) == [thread.first_post_id], typed


def test_a_board_without_a_language_follows_the_forums_default(app, member, admin):
    site_settings.update(admin, {"default_language": "de"})
    board = factories.make_board(slug="allgemein")
    thread = factories.make_thread(board, member, title="Bauteile", body="Viele Platinen.")
    assert stored(thread.first_post_id)["language"] == "de"
    assert ids(find(None, "Platine")) == [thread.first_post_id]


def test_a_german_word_in_an_english_board_is_stemmed_as_english(board, member):
    """Found as written and by its folded spelling, not by its German plural."""
    thread = factories.make_thread(board, member, title="Parts", body="I need a new Platine.")
    assert stored(thread.first_post_id)["language"] == "en"
    assert ids(find(None, "Platine")) == [thread.first_post_id]
    assert ids(find(None, "Platinen")) == []


def test_words_are_marked_in_the_posts_language(german, board, member):
    factories.make_thread(german, member, title="Platinen bestellt",
                          body="Die Platinen aus Straßburg sind da.")
    factories.make_thread(board, member, title="Connections", body="Connecting the wires.")
    [hit] = find(None, "platine").hits
    assert str(hit.title) == "<mark>Platinen</mark> bestellt"
    assert "Die <mark>Platinen</mark> aus" in str(hit.snippet)
    [hit] = find(None, "Strassburg").hits
    assert "aus <mark>Straßburg</mark> sind" in str(hit.snippet)
    [hit] = find(None, "connect").hits
    assert str(hit.title) == "<mark>Connections</mark>"
    assert "<mark>Connecting</mark> the" in str(hit.snippet)


def test_stop_words_of_both_languages_leave_nothing_to_search(app):
    for text in ("the", "AND OR", "in the", "will it"):
        assert find(None, text).error, text
    # A stop word of one language only is searched in the other's posts (a die, fur).
    for text in ("die", "für", "und die"):
        assert find(None, text).error is None, text


def test_changing_a_boards_language_reindexes_its_posts(app, german, member):
    thread = factories.make_thread(german, member, title="Bauteile", body="Neue Platinen.")
    other = factories.make_board(slug="elsewhere", language="de")
    untouched = factories.make_thread(other, member, title="Anderes", body="Alte Platinen.")
    assert sorted(ids(find(None, "Platine"))) == sorted([thread.first_post_id,
                                                         untouched.first_post_id])
    german.language = "en"
    db.session.commit()
    assert stored(thread.first_post_id)["language"] == "en"
    assert stored(untouched.first_post_id)["language"] == "de"
    assert ids(find(None, "Platine")) == [untouched.first_post_id]


def test_a_bulk_language_change_is_followed(app, german, member):
    thread = factories.make_thread(german, member, title="Bauteile", body="Neue Platinen.")
    db.session.execute(update(Board).where(Board.id == german.id).values(language=None))
    db.session.commit()
    assert stored(thread.first_post_id)["language"] == "en"


def test_a_new_default_language_reindexes_the_boards_that_follow_it(app, board, german,
                                                                    member):
    """Once the default is a setting, changing it re-indexes the boards without a language."""
    follows = factories.make_thread(board, member, title="Bauteile", body="Neue Platinen.")
    own = factories.make_thread(german, member, title="Bauteile", body="Alte Platinen.")
    db.session.add(Setting(name="default_language", value="de"))
    db.session.commit()
    assert stored(follows.first_post_id)["language"] == "de"
    assert stored(own.first_post_id)["language"] == "de"


@pytest.mark.whoosh
def test_a_changed_analyzer_makes_the_index_outdated(app):
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import TEXT

    from forum.services.search import index

    assert not index.outdated(index.SCHEMA)
    changed = index.SCHEMA.copy()
    changed.remove("body_de")
    changed.add("body_de", TEXT(analyzer=StemmingAnalyzer()))
    assert index.outdated(changed)


def test_every_interface_language_can_be_searched():
    from forum.i18n import LANGUAGES
    from forum.services.search import index

    assert set(index.LANGUAGES) == set(LANGUAGES)


@pytest.mark.whoosh
def test_an_index_built_with_another_schema_warns_until_rebuilt(app, thread, caplog):
    from whoosh.fields import ID, Schema
    from whoosh.index import create_in

    state = sync.current_index()
    create_in(state.path, Schema(id=ID(stored=True, unique=True), body=ID()))
    state._ix = None
    with caplog.at_level(logging.WARNING):
        state.open()
    assert "forum reindex" in caplog.text
    sync.rebuild()
    assert ids(find(None, "acetone")) == [thread.first_post_id]
