"""Display names: invisible text taken out, look-alikes of the team's names refused, every
script welcome; on the member's profile and in the administrators' account form."""
from __future__ import annotations

import pytest

from forum.common import usernames
from forum.extensions import db
from forum.services.accounts import management, profiles
from forum.services.accounts.account import AccountError
from forum.services.accounts.management import AccountChange
from forum.services.accounts.profiles import ProfileData, ProfileInvalid
from tests import factories


def save(user, display_name: str):
    return profiles.update_profile(user, user, ProfileData(display_name=display_name))


def refusal(user, display_name: str) -> str:
    with pytest.raises(ProfileInvalid) as caught:
        save(user, display_name)
    db.session.rollback()
    return caught.value.errors["display_name"]


@pytest.mark.parametrize("typed, stored", [
    ("Jürgen Müller", "Jürgen Müller"),
    ("Ju\u0308rgen", "Jürgen"),  # decomposed: NFKC composes it
    ("Зоя Петрова", "Зоя Петрова"),
    ("李小龙", "李小龙"),
    ("Ｆｕｌｌ　Ｗｉｄｔｈ", "Full Width"),  # compatibility forms and the ideographic space
    ("an\u200bna", "anna"),  # zero-width space
    ("\u202eevil\u202c", "evil"),  # right-to-left override
    ("Anna\u2800\u2800Berg", "Anna Berg"),  # braille blanks draw as spaces
    ("  lots \t of\u00a0space  ", "lots of space"),
    ("", None),  # empty: the username is shown
])
def test_names_are_normalised_and_cleaned(member, typed, stored):
    save(member, typed)
    assert member.display_name == stored


@pytest.mark.parametrize("typed", ["\u200b", " \u200b\u200d ", "\u202e\u2066", "\u3164",
                                   "\u2800"])
def test_a_name_of_nothing_visible_is_refused(member, typed):
    assert "no visible letters" in refusal(member, typed)
    assert member.display_name is None


def test_stacked_marks_and_length_are_refused(member):
    assert "accent marks" in refusal(member, "Z" + "\u0301" * 6 + "algo")
    assert "at most 64 characters" in refusal(member, "x" * 65)
    # Invisible characters don't count toward the length.
    save(member, "x" * 64 + "\u200b" * 10)
    assert member.display_name == "x" * 64


def test_look_alikes_of_staff_names_are_refused(app, member):
    factories.make_user("admin_anna", role="admin")
    factories.make_user("modmax", role="moderator", display_name="Max Mod")
    factories.make_board_moderator(factories.make_user("boardbea"), factories.make_board())
    for lookalike in ("аdmin_аnnа",  # Cyrillic а
                      "ADMIN_ANNA", "@admin_anna", "admin_\u200banna",
                      "modmax", "Max Mod", "Mах Моd", "MaxMod",
                      "boardbea", "bоardbea"):  # Cyrillic о
        assert "moderation team" in refusal(member, lookalike), lookalike
    # A name near a staff member's is fine when it doesn't look the same.
    save(member, "Anna from admin")
    assert member.display_name == "Anna from admin"


def test_members_names_are_not_protected_and_staff_keep_their_own(member):
    factories.make_user("plainpaul")
    save(member, "plainpaul")
    assert member.display_name == "plainpaul"
    moderator = factories.make_user("modmia", role="moderator")
    save(moderator, "ModMia")
    assert moderator.display_name == "ModMia"


def test_a_retired_moderator_name_is_free_again(member):
    former = factories.make_user("formermod", role="moderator")
    assert refusal(member, "formermod")
    former.role_value = 1
    db.session.commit()
    save(member, "formermod")
    assert member.display_name == "formermod"


def test_the_admin_account_form_applies_the_same_rules(admin, member):
    def change(display_name):
        return AccountChange(username=member.username, email=member.email,
                             display_name=display_name)

    with pytest.raises(AccountError) as caught:
        management.update_account(admin, member, change("\u200b"))
    assert caught.value.field == "display_name"
    db.session.rollback()
    with pytest.raises(AccountError) as caught:
        management.update_account(admin, member, change("аdmin"))  # the admin's, Cyrillic а
    assert "moderation team" in caught.value.message
    db.session.rollback()
    management.update_account(admin, member, change("Jürgen\u200d Müller"))
    assert member.display_name == "Jürgen Müller"


def test_the_skeleton_is_the_one_usernames_use():
    assert usernames.skeleton("admin") in usernames.display_skeletons("@аdmin")
    assert usernames.skeleton("admin") in usernames.display_skeletons("AD MIN")
