"""Usernames in any script through the services: registering, renaming, finding members and
logging in by name, and refusing names that look like a member's."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.models import OldUsername, User, utcnow
from forum.services.accounts import account, groups, management, profiles, usernames
from forum.services.accounts.account import AccountError, Registration
from forum.services.accounts.anonymise import anonymise
from tests import factories

PASSWORD = factories.PASSWORD
LOOKS_ALIKE = "That name looks too much like an existing member's name"


def _register(username: str, email: str | None = None) -> User:
    email = email or f"{abs(hash(username))}@example.com"
    return account.register(Registration(username, email, PASSWORD))


def _rename(admin: User, user: User, username: str) -> User:
    change = management.AccountChange(username=username, email=user.email,
                                      display_name=user.display_name or "")
    return management.update_account(admin, user, change)


@pytest.mark.parametrize("name", [
    "jürgen.müller", "zoë", "Ærøskøbing", "Дмитрий", "Σωκράτης", "东京太郎", "김민준", "हिन्दी",
])
def test_names_in_any_script_register(app, db, name):
    user = _register(name)
    assert user.username == name
    assert user.username_key == name.casefold()
    assert user.username_skeleton


def test_the_stored_name_is_what_was_typed_in_nfkc_form(app, db):
    user = _register("  Ju\u0308rgen_ｗ ")
    assert user.username == "Jürgen_w"
    assert user.username_key == "jürgen_w"


@pytest.mark.parametrize(("name", "words"), [
    ("abc\u202edef", "invisible characters"),
    ("ab\u200dcd", "invisible characters"),
    ("two words", "can't contain spaces"),
    ("two\u3000words", "can't contain spaces"),
    ("\u0301\u0308\u0302", "needs a letter to sit on"),
    ("a" + "\u0301" * 6 + "bc", "too many accent marks"),
    ("ab!", "Usernames are 3–32 characters"),
    ("ß" * 17, "“ß” counts as “ss”"),
    ("deleted-12", "reserved"),
    ("ＤＥＬＥＴＥＤ-12", "reserved"),
])
def test_refusals_say_what_is_wrong(app, db, name, words):
    with pytest.raises(AccountError) as caught:
        _register(name)
    assert caught.value.field == "username"
    assert words in caught.value.message
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("again",
                         ["JÜRGEN", "jürgen", "Ju\u0308rgen", "JU\u0308RGEN", "ｊüｒｇｅｎ"])
def test_one_name_in_any_case_or_normalisation(app, db, again):
    _register("Jürgen")
    with pytest.raises(AccountError) as caught:
        _register(again)
    assert "That username is taken" in caught.value.message


@pytest.mark.parametrize("lookalike", ["раураl", "PAYPAL", "paypaI", "paypa1", "РАУРАL"])
def test_a_name_that_looks_like_a_members_is_refused(app, db, lookalike):
    _register("paypal")
    with pytest.raises(AccountError) as caught:
        _register(lookalike)
    assert caught.value.field == "username"
    assert LOOKS_ALIKE in caught.value.message or "taken" in caught.value.message
    assert db.session.query(User).count() == 1


def test_cyrillic_lookalike_gets_the_lookalike_message(app, db):
    _register("paypal")
    with pytest.raises(AccountError) as caught:
        _register("раураl")
    assert LOOKS_ALIKE in caught.value.message


def test_accents_are_not_look_alikes(app, db):
    _register("jurgen")
    assert _register("jürgen").username == "jürgen"


def test_a_race_between_look_alikes_is_settled_by_the_index(app, db, monkeypatch):
    _register("paypal")
    # Both sign-ups passed the check before either was written.
    monkeypatch.setattr(account, "username_confusable", lambda *args: False)
    with pytest.raises(AccountError) as caught:
        _register("раураl")
    assert caught.value.field == "username"
    assert db.session.query(User).count() == 1


def test_a_deleted_members_look_alikes_are_free(app, db, admin):
    gone = _register("paypal")
    anonymise(gone, utcnow())
    db.session.commit()
    assert gone.username_skeleton is None
    assert _register("раураl").username == "раураl"


# -- renaming --------------------------------------------------------------------------------

def test_rename_to_a_unicode_name_keeps_the_old_one_redirecting(app, db, admin, member):
    _rename(admin, member, "Jürgen.Müller")
    db.session.expire_all()
    assert member.username == "Jürgen.Müller"
    assert member.username_key == "jürgen.müller"
    assert profiles.find_member("JU\u0308RGEN.MÜLLER") == member
    assert profiles.find_renamed("MEMBER") == member
    _rename(admin, member, "Zoë")
    assert usernames.find_by_old_name("jürgen.müller") == member
    assert db.session.scalar(select(OldUsername.username_key)
                             .where(OldUsername.username == "Jürgen.Müller")) == "jürgen.müller"


def test_a_member_may_change_the_case_of_their_own_name(app, db, admin):
    user = _register("Jürgen")
    _rename(admin, user, "JÜRGEN")
    assert user.username == "JÜRGEN"
    # Nothing to redirect: it's the same name.
    assert db.session.query(OldUsername).count() == 0


@pytest.mark.parametrize(("taken", "new", "words"), [
    ("paypal", "раураl", LOOKS_ALIKE),
    ("Jürgen", "Ju\u0308RGEN", "That username is taken"),
])
def test_rename_refuses_taken_and_look_alike_names(app, db, admin, member, taken, new, words):
    _register(taken)
    with pytest.raises(AccountError) as caught:
        _rename(admin, member, new)
    assert words in caught.value.message
    db.session.expire_all()
    assert member.username == "member"


@pytest.mark.parametrize("new", ["a\u200bbc", "\u202eabc", "a b c", "\u0301\u0301\u0301"])
def test_rename_refuses_invisible_spaced_and_mark_only_names(app, db, admin, member, new):
    with pytest.raises(AccountError):
        _rename(admin, member, new)


# -- finding members by name -----------------------------------------------------------------

def test_logging_in_by_a_unicode_name_in_any_spelling(app, db):
    user = _register("Jürgen")
    for typed in ("Jürgen", "JÜRGEN", "ju\u0308rgen"):
        assert account.log_in(typed, PASSWORD, "203.0.113.9") == user


def test_group_members_are_added_by_any_spelling(app, db, admin):
    user = _register("Ærøskøbing")
    group = factories.make_group("Islanders")
    assert groups.add_member(admin, group, "@ærøskøbing") == user


def test_member_search_finds_unicode_names_in_any_case(app, db):
    user = _register("Jürgen.Müller")
    _register("someone")
    assert profiles.list_members("MÜLLER").members == [user]
    assert profiles.list_members("mu\u0308ll").members == [user]
