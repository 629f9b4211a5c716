"""Typed site settings with defaults in code."""
from __future__ import annotations

import pytest

from forum.errors import Refused
from forum.extensions import db
from forum.models import SETTINGS, Setting, SettingSpec
from forum.services.site import settings
from forum.stores import settings as stored

from .moderation_kit import T0, actions


def test_defaults_come_from_code(app):
    assert stored.get("report_limit_per_hour") == 10
    assert stored.get("auto_hide_threshold") == 3
    assert [spec.name for spec, _ in stored.all_settings()] == list(SETTINGS)
    with pytest.raises(KeyError):
        stored.get("no_such_setting")


def test_update_parses_saves_and_logs(admin):
    changed = settings.update(admin, {"auto_hide_threshold": " 5 ", "report_limit_per_hour": 10},
                              now=T0)

    assert changed == {"auto_hide_threshold": 5}  # the other one didn't change
    assert stored.get("auto_hide_threshold") == 5
    row = db.session.get(Setting, "auto_hide_threshold")
    assert (row.value, row.updated_by_id, row.updated_at) == (5, admin.id, T0)
    [entry] = actions("setting.change")
    assert (entry.before, entry.after, entry.target_label) == (
        {"value": 3}, {"value": 5}, "setting auto_hide_threshold")


def test_values_are_read_once_per_request(app, admin, count_queries):
    settings.update(admin, {"auto_hide_threshold": 4})
    with count_queries() as queries:
        stored.clear_cache()  # cold: (count_queries itself leaves the settings freshly read)
        for _ in range(3):
            stored.get("auto_hide_threshold")
            stored.get("report_limit_per_hour")
    assert len(queries) == 1
    with app.app_context():  # a new request starts fresh and sees the stored value
        assert stored.get("auto_hide_threshold") == 4


@pytest.mark.parametrize("changes, message", [
    ({"auto_hide_threshold": "three"}, "whole number"),
    ({"auto_hide_threshold": -1}, "smallest allowed value is 0"),
    ({"report_limit_per_hour": 0}, "smallest allowed value is 1"),
    ({"report_limit_per_hour": 1001}, "largest allowed value is 1000"),
    ({"report_limit_per_hour": True}, "whole number"),
    ({"colour": "blue"}, "no setting called colour"),
])
def test_bad_values_are_refused_and_nothing_is_saved(admin, changes, message):
    with pytest.raises(Refused, match=message) as refused:
        settings.update(admin, {"report_limit_per_hour": 20, **changes})
    assert refused.value.status == 400
    assert db.session.get(Setting, "report_limit_per_hour") is None


def test_only_admins_change_settings(moderator):
    with pytest.raises(Refused, match="Only administrators") as refused:
        settings.update(moderator, {"auto_hide_threshold": 1})
    assert refused.value.status == 403


def test_a_stored_value_that_no_longer_parses_falls_back(app):
    db.session.add(Setting(name="auto_hide_threshold", value="junk"))
    db.session.commit()
    stored.clear_cache()
    assert stored.get("auto_hide_threshold") == 3


@pytest.mark.parametrize("raw, value", [
    (True, True), ("on", True), ("Yes", True), ("1", True),
    (False, False), ("off", False), ("", False), ("no", False),
])
def test_boolean_specs(raw, value):
    spec = SettingSpec("registration_open", bool, True, "Registration open")
    assert spec.parse(raw) is value


def test_boolean_and_text_spec_refusals():
    with pytest.raises(ValueError, match="yes or no"):
        SettingSpec("flag", bool, True, "Flag").parse("maybe")
    name = SettingSpec("site_name", str, "Agora", "Site name", minimum=2, maximum=10)
    assert name.parse("  My   Forum ") == "My Forum"
    with pytest.raises(ValueError, match="at least 2"):
        name.parse(" x ")
    with pytest.raises(ValueError, match="at most 10"):
        name.parse("x" * 11)


# -- the identity and registration settings ------------------------------------------------------
def test_every_setting_has_a_group_and_groups_come_in_declaration_order():
    groups = list(dict.fromkeys(spec.group for spec in SETTINGS.values()))
    assert groups == ["Identity", "Registration", "Spam and abuse", "Moderation", "Posting",
                      "Events", "Warning points", "Notification mail", "Conversations",
                      "Images"]


def test_choice_time_zone_and_email_settings_parse(admin):
    changed = settings.update(admin, {
        "registration_mode": " invitation ", "default_timezone": "Europe/Berlin",
        "contact_email": " Team@Example.org ", "forum_name": "  Makers'   Hall ",
        "tagline": "",
    })
    assert changed == {"registration_mode": "invitation", "default_timezone": "Europe/Berlin",
                       "contact_email": "Team@example.org", "forum_name": "Makers' Hall",
                       "tagline": ""}
    assert stored.get("registration_mode") == "invitation"
    assert settings.update(admin, {"contact_email": ""}) == {"contact_email": ""}


@pytest.mark.parametrize("changes, message", [
    ({"registration_mode": "sometimes"}, "choose one of Open"),
    ({"registration_mode": None}, "choose one of"),
    ({"default_timezone": "Mars/Olympus"}, "choose a time zone"),
    ({"default_timezone": "../../etc/passwd"}, "choose a time zone"),
    ({"contact_email": "not an address"}, "enter a valid email address"),
    ({"contact_email": "a@" + "b" * 260 + ".org"}, "at most 254 characters"),
    ({"forum_name": ""}, "can't be left empty"),
    ({"forum_name": "x" * 61}, "at most 60 characters"),
])
def test_bad_identity_values_are_refused(admin, changes, message):
    with pytest.raises(Refused, match=message) as refused:
        settings.update(admin, changes)
    assert refused.value.status == 400
    assert stored.get("registration_mode") == "open"
