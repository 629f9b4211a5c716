"""The demo's threads as Markdown files, in every language: all of them load, and a malformed
one is refused with the file and line named."""
from __future__ import annotations

import re
import textwrap
from collections import Counter

import pytest

from forum.seeding import DEMO_LANGUAGES
from forum.seeding.demo import content, library
from forum.seeding.demo.script import Reply, ThreadScript

THREADS_PER_BOARD = {
    "announcements": 3, "introductions": 5, "swap-and-sell": 4,
    "servers": 8, "networking": 7, "self-hosting": 6,
    "microcontrollers": 7, "3d-printing": 7, "repair": 5, "questions": 4,
    "moderators-lounge": 3,
}
THREADS_PER_BOARD_DE = {
    "ankuendigungen": 3, "werkstatt": 4, "flohmarkt": 3, "heimserver": 9,
    "mikrocontroller": 6, "3d-druck": 6, "reparatur": 4, "fragen": 4, "moderation": 2,
}

SMALL = """\
board: servers
author: quietfan
title: A quiet server?

Is a 2U server ever quiet?

+++ reply by nyx

Not in a flat.
"""


def test_every_thread_file_loads_board_by_board():
    scripts = library.load()

    files = [entry for folder in library.THREADS_DIR.iterdir() for entry in folder.iterdir()]
    assert len(scripts) == len(files) == sum(THREADS_PER_BOARD.values())
    assert Counter(script.board for script in scripts) == THREADS_PER_BOARD
    # Boards in the order people.py lists them, each board's files in name order: the seed's
    # random choices follow this order, so it must never shift.
    order = [library.BOARDS.index(script.board) for script in scripts]
    assert order == sorted(order)
    assert scripts[0].title == "Welcome to Agora — start here"
    assert scripts[-1].title == "Draft: a guideline on AI-generated answers"
    assert sum(script.pinned for script in scripts) == 5
    assert [script.locked for script in scripts if script.locked] == [
        "Sold. Locked at the seller's request."
    ]
    replies = [reply for script in scripts for reply in script.replies]
    assert all(script.body and all(reply.body for reply in script.replies)
               for script in scripts)
    assert sum(reply.author is None for reply in replies) == 1
    assert sum(reply.deleted is not None for reply in replies) == 2
    assert sum(reply.replace is not None for reply in replies) == 1


def test_every_german_thread_file_loads_board_by_board():
    german = content.get("de")
    scripts = german.scripts()

    files = [entry for folder in german.threads.iterdir() for entry in folder.iterdir()]
    assert len(scripts) == len(files) == sum(THREADS_PER_BOARD_DE.values())
    assert Counter(script.board for script in scripts) == THREADS_PER_BOARD_DE
    order = [german.cast.boards.index(script.board) for script in scripts]
    assert order == sorted(order)
    assert scripts[0].title == "Willkommen bei Agora – hier geht's los"
    assert sum(script.pinned for script in scripts) == 5
    assert [script.locked for script in scripts if script.locked] == [
        "Verkauft. Auf Wunsch des Verkäufers gesperrt."
    ]
    replies = [reply for script in scripts for reply in script.replies]
    # Conversations, but for the few questions nobody answered yet (the desk's).
    assert all(3 <= len(script.replies) + 1 <= 11 for script in scripts if script.replies)
    assert sum(not script.replies for script in scripts) == 3
    assert sum(reply.author is None for reply in replies) == 1
    assert sum(reply.deleted is not None for reply in replies) == 1
    assert sum(reply.replace is not None for reply in replies) == 1
    assert sum(reply.quote is not None for reply in replies) >= 10


@pytest.mark.parametrize("language", DEMO_LANGUAGES)
def test_every_set_names_only_its_own_boards_and_people(language):
    chosen = content.get(language)
    scripts = chosen.scripts()
    assert {script.board for script in scripts} <= set(chosen.cast.boards)
    named = {script.author for script in scripts} | {
        reply.author for script in scripts for reply in script.replies if reply.author}
    assert named <= chosen.cast.usernames
    # The scenes play in threads the set has, with members it has.
    titles = {script.title for script in scripts}
    assert {chosen.week.first_thread, chosen.week.second_thread, chosen.week.dismissed_thread,
            chosen.week.spam_reply_thread, chosen.heated.slow_thread,
            chosen.heated.paused_thread, chosen.heated.closed_thread,
            chosen.tidied.moved_thread, chosen.tidied.merge_target} <= titles
    assert chosen.tidied.moved_to in chosen.cast.boards
    assert {"admin", "mod", "member"} <= chosen.cast.usernames
    # The desk's scene names threads the set has, and a question board to solve them in.
    desk = chosen.desk
    by_title = {script.title: script for script in scripts}
    questions = {board.slug for category in chosen.categories for board in category.boards
                 if board.is_questions}
    for title, number in (desk.solved_by_asker, desk.solved_by_team):
        assert by_title[title].board in questions and len(by_title[title].replies) >= number
    assert by_title[desk.unsolved].board in questions and by_title[desk.unsolved].replies
    assert not by_title[desk.unanswered].replies
    assert desk.event_question[0] in chosen.cast.usernames


def test_the_sets_share_no_thread_titles():
    english, german = (content.get(language).scripts() for language in ("en", "de"))
    assert not {script.title for script in english} & {script.title for script in german}


def test_an_unknown_language_has_no_set():
    with pytest.raises(ValueError, match="No demo community in 'xx'"):
        content.get("xx")


def test_every_field_reaches_the_script():
    text = """\
board: swap-and-sell
author: hobbs
title: [Free] Parts: just pay postage
day: 12.5
span_days: 3
pinned: yes
locked: All gone.

Clearing out forty years of parts drawers,
just pay postage.

Second paragraph.

+++ edit
after: 30

**Update:** the relays are gone.

+++ reply by ziggy
quote: 0
quote_text: forty years of parts drawers, just pay postage
after: 1.5

Call me on 555-0142.

+++ edit by mod
after: 2
reason: Contact details go in private.
replace: Call me on 555-0142.
with: *[Phone number removed.]*

+++ delete by mod
reason: Contact details.

+++ reply by anyone

Lovely.

+++ edit

Thanks again!
"""
    assert library.parse(text, "example.md") == ThreadScript(
        board="swap-and-sell",
        author="hobbs",
        title="[Free] Parts: just pay postage",
        body="Clearing out forty years of parts drawers,\njust pay postage.\n\nSecond paragraph.",
        day=12.5,
        span_days=3,
        pinned=True,
        locked="All gone.",
        edit="**Update:** the relays are gone.",
        edit_after=30,
        replies=(
            Reply("ziggy", "Call me on 555-0142.", quote=0,
                  quote_text="forty years of parts drawers, just pay postage", after=1.5,
                  replace=("Call me on 555-0142.", "*[Phone number removed.]*"),
                  edited_by="mod", edit_after=2, edit_reason="Contact details go in private.",
                  deleted="Contact details.", deleted_by="mod"),
            Reply(None, "Lovely.", edit="Thanks again!"),
        ),
    )


def test_the_example_in_the_format_description_is_a_thread():
    example = library.__doc__.split("::\n\n", 1)[1].split("\n\nThe header runs", 1)[0]
    script = library.parse(textwrap.dedent(example), "library.py")
    assert script.locked and script.edit and script.span_days == 3
    assert [reply.author for reply in script.replies] == ["ziggy", None]
    assert script.replies[0].deleted_by == script.replies[0].edited_by == "mod"


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("title: A quiet server?\n", "title: A quiet server?\nmood: calm\n", 4,
     "unknown field 'mood' in the header"),
    ("title: A quiet server?\n", "", 1, "the header has no 'title'"),
    ("title: A quiet server?\n\n", "title: A quiet server?\n", 4, "or a blank line before"),
    ("author: quietfan", "author: quietfox", 2, "no member 'quietfox'"),
    ("board: servers", "board: attic", 1, "no board 'attic'"),
    ("+++ reply by nyx", "+++ reply", 7, "'+++ reply by anyone'"),
    ("+++ reply by nyx", "+++ answer by nyx", 7, "not a section line"),
    ("+++ reply by nyx\n", "+++ reply by nyx\nquote: 1\n", 8, "quote 1 is not an earlier post"),
    ("+++ reply by nyx\n", "+++ reply by nyx\nquote: 0\nquote_text: silent\n", 9,
     "the passage is not in post 0"),
    ("+++ reply by nyx\n", "+++ reply by nyx\nafter: soon\n", 8, "'after' is a number"),
    ("flat.\n", "flat.\n\n+++ edit by mod\nreason: Tidy.\nreplace: a house\nwith: a flat\n", 13,
     "the reply has no such passage"),
    ("flat.\n", "flat.\n\n+++ edit by mod\nreplace: a flat\nwith: a house\n", 11,
     "an edit of someone else's post needs 'reason: …'"),
    ("flat.\n", "flat.\n\n+++ delete\n", 11, "a delete needs 'reason: …'"),
    ("flat.\n", "flat.\n\n+++ delete\nreason: Rude.\n\nSorry.\n", 11, "a delete has no text"),
    ("+++ reply by nyx", "+++ delete by mod\nreason: No.\n\n+++ reply by nyx", 7,
     "only replies can be deleted"),
])
def test_a_malformed_thread_names_the_file_and_line(old, new, line, message):
    assert old in SMALL
    with pytest.raises(library.ThreadFileError) as refused:
        library.parse(SMALL.replace(old, new, 1), "servers/09-quiet.md")
    assert str(refused.value).startswith(f"servers/09-quiet.md, line {line}: ")
    assert message in str(refused.value)


def test_a_german_thread_is_read_against_the_german_cast():
    german = content.get("de").cast
    text = SMALL.replace("board: servers", "board: heimserver").replace(
        "quietfan", "leiseluefter").replace("nyx", "selfhost_sven")
    assert library.parse(text, "heimserver/09-leise.md", cast=german).board == "heimserver"
    with pytest.raises(library.ThreadFileError, match="no board 'heimserver'"):
        library.parse(text, "heimserver/09-leise.md")
    with pytest.raises(library.ThreadFileError, match="no member 'quietfan'"):
        library.parse(SMALL.replace("board: servers", "board: heimserver"), "x.md", cast=german)


def test_loading_a_folder_names_the_bad_file(tmp_path):
    folder = tmp_path / "servers"
    folder.mkdir()
    (folder / "01-quiet.md").write_text(SMALL, encoding="utf-8")
    assert [script.title for script in library.load(tmp_path)] == ["A quiet server?"]

    broken = folder / "02-loud.md"
    broken.write_text(SMALL.replace("+++ reply by nyx", "+++ reply by nobody"), "utf-8")
    where = re.escape(f"{broken}, line 7: ")
    with pytest.raises(library.ThreadFileError, match=f"^{where}no member 'nobody'"):
        library.load(tmp_path)

    broken.write_text(SMALL.replace("board: servers", "board: networking"), "utf-8")
    with pytest.raises(library.ThreadFileError, match="but the file is in the 'servers' folder"):
        library.load(tmp_path)

    broken.unlink()
    (folder / "Loud server.md").write_text(SMALL, encoding="utf-8")
    with pytest.raises(library.ThreadFileError, match="named NN-short-name.md"):
        library.load(tmp_path)

    (folder / "Loud server.md").unlink()
    (tmp_path / "attic").mkdir()
    with pytest.raises(library.ThreadFileError, match="attic: not a board of the demo"):
        library.load(tmp_path)
