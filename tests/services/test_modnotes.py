"""Moderator notes and canned responses."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.errors import NotFound, Refused
from forum.extensions import db
from forum.models import CannedResponse
from forum.policy import Policy
from forum.services.moderation import modnotes
from tests import factories

from .moderation_kit import T0, actions


def test_notes_are_private_to_the_team_and_logged_without_their_text(moderator, member):
    board = factories.make_board()
    board_moderator = factories.make_board_moderator(factories.make_user(), board)
    factories.make_thread(board, author=member)  # the member's record is theirs to read
    modnotes.add_note(moderator, member, "Known spammer on another forum", now=T0)
    modnotes.add_note(board_moderator, member, " Second ", now=T0)

    notes = modnotes.notes_for(Policy(moderator), member)
    assert [n.body for n in notes] == ["Second", "Known spammer on another forum"]
    assert notes[0].author_id == board_moderator.id
    [first, _] = actions("note.add")
    assert (first.target_kind, first.target_user_id) == ("note", member.id)
    assert first.before is None and first.after is None and first.reason is None
    with pytest.raises(Refused):
        modnotes.notes_for(Policy(member), member)
    with pytest.raises(Refused):
        modnotes.add_note(member, moderator, "I see you")


@pytest.mark.parametrize("body, message", [("  ", "can't be empty"), ("x" * 5001, "at most")])
def test_note_text_is_checked(moderator, member, body, message):
    with pytest.raises(Refused, match=message) as refused:
        modnotes.add_note(moderator, member, body)
    assert refused.value.status == 400


# -- canned responses --------------------------------------------------------------------------
def test_fill_puts_in_name_and_thread():
    template = "Hello {username}, your post in “{thread}” broke rule 2. Thanks, {username}!"
    assert modnotes.fill(template, "alice", "Cats") == (
        "Hello alice, your post in “Cats” broke rule 2. Thanks, alice!")
    assert modnotes.fill("In {thread}.", "bob") == "In ."


@pytest.mark.parametrize("template", [
    "{username.__class__}", "{0}", "{user}", "{{username}}x", "{", "}", "{thread!r}",
])
def test_fill_knows_only_its_two_names(template):
    expected = template.replace("{username}", "eve")
    assert modnotes.fill(template, "eve", "t") == expected


def test_fill_does_not_fill_what_it_filled_in():
    # A title that looks like a placeholder stays as written; nothing is marked safe either.
    assert modnotes.fill("{thread} by {username}", "<b>eve</b>", "{username}") == (
        "{username} by <b>eve</b>")


def test_fill_for_a_member_and_thread(admin, member):
    thread = factories.make_thread(factories.make_board(), author=member, title="Ducks")
    response = modnotes.create_canned(admin, "Off-topic", "Dear {username}: {thread}")
    assert modnotes.fill_for(response, member, thread) == "Dear member: Ducks"
    assert modnotes.fill_for(response, member) == "Dear member: "


def test_admins_keep_the_list_and_every_change_is_logged(admin, moderator):
    response = modnotes.create_canned(admin, " Spam ", "Hi {username}, no ads.", now=T0)
    modnotes.update_canned(admin, response, "Spam warning", "Hi {username}, no ads please.",
                           now=T0)
    modnotes.update_canned(admin, response, "Spam warning", "Hi {username}, no ads please.")
    assert response.updated_at == T0
    assert [r.title for r in modnotes.canned_responses(Policy(moderator))] == ["Spam warning"]
    assert modnotes.get_canned(Policy(moderator), response.id) is response

    modnotes.delete_canned(admin, response, now=T0)

    assert db.session.scalar(select(func.count(CannedResponse.id))) == 0
    logged = [(e.action, e.before, e.after) for e in actions()]
    assert logged == [
        ("canned.create", None, {"title": "Spam", "body": "Hi {username}, no ads."}),
        ("canned.update", {"title": "Spam", "body": "Hi {username}, no ads."},
         {"title": "Spam warning", "body": "Hi {username}, no ads please."}),
        ("canned.delete", {"title": "Spam warning", "body": "Hi {username}, no ads please."},
         None),
    ]
    with pytest.raises(NotFound):
        modnotes.get_canned(Policy(moderator), response.id)


def test_canned_response_refusals(admin, moderator, member):
    with pytest.raises(Refused, match="Only administrators"):
        modnotes.create_canned(moderator, "t", "b")
    response = modnotes.create_canned(admin, "t", "b")
    with pytest.raises(Refused, match="Only administrators"):
        modnotes.update_canned(moderator, response, "t2", "b2")
    with pytest.raises(Refused, match="Only administrators"):
        modnotes.delete_canned(moderator, response)
    with pytest.raises(Refused):
        modnotes.canned_responses(Policy(member))
    with pytest.raises(Refused, match="title can be at most 100"):
        modnotes.create_canned(admin, "x" * 101, "b")
    with pytest.raises(Refused, match="text can't be empty"):
        modnotes.update_canned(admin, response, "t", " ")
