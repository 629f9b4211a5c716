"""Site settings over HTTP: a form drawn from the declared settings, saved all or nothing."""
from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from forum.extensions import db
from forum.models import SETTINGS, ModAction, Setting, SettingSpec
from forum.services.site import settings as site_settings
from forum.stores import settings
from tests.factories import text

VALID = {"report_limit_per_hour": "10", "auto_hide_threshold": "3"}


def defaults() -> dict[str, str]:
    """Every declared setting at its default, as a browser would send the untouched form."""
    return {spec.name: ("y" if spec.default else "") if spec.type is bool else str(spec.default)
            for spec in SETTINGS.values()}


def stored() -> dict:
    db.session.expire_all()
    return {row.name: row.value for row in db.session.scalars(select(Setting))}


def log() -> list[ModAction]:
    return list(db.session.scalars(
        select(ModAction).where(ModAction.action == "setting.change").order_by(ModAction.id)
    ))


def test_form_lists_every_setting_with_its_value_help_and_range(client, login, admin):
    login(admin)
    response = client.get("/admin/settings")
    html = text(response)
    assert response.status_code == 200
    for spec in SETTINGS.values():
        assert f'<label for="{spec.name}">{escape(str(spec.label))}</label>' in html
        assert escape(str(spec.help)) in html
    field = re.search(r'<input[^>]*id="report_limit_per_hour"[^>]*>', html).group(0)
    for attribute in ('type="number"', 'min="1"', 'max="1000"', 'value="10"',
                      'aria-describedby="report_limit_per_hour-help"'):
        assert attribute in field
    assert "From 1 to 1,000." in html
    assert 'href="/mod/log?action=setting.change"' in html


def test_save(client, login, admin):
    login(admin)
    response = client.post("/admin/settings",
                           data={**defaults(), "report_limit_per_hour": " 25 "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/settings")
    assert stored() == {"report_limit_per_hour": 25}
    [entry] = log()
    assert (entry.actor_id, entry.before, entry.after) == (admin.id, {"value": 10}, {"value": 25})
    html = text(client.get("/admin/settings"))
    assert "Saved: Reports per member per hour." in html
    assert 'value="25"' in html
    with client.application.test_request_context():
        assert settings.get("report_limit_per_hour") == 25


def test_nothing_changed(client, login, admin):
    login(admin)
    response = client.post("/admin/settings", data=defaults())
    assert response.status_code == 302
    assert stored() == {}
    assert log() == []
    assert "Nothing changed." in text(client.get("/admin/settings"))


@pytest.mark.parametrize("name, value, message", [
    ("report_limit_per_hour", "ten", "Reports per member per hour: enter a whole number."),
    ("report_limit_per_hour", "", "Reports per member per hour: enter a whole number."),
    ("report_limit_per_hour", "2.5", "Reports per member per hour: enter a whole number."),
    ("report_limit_per_hour", "0", "Reports per member per hour: the smallest allowed value is 1."),
    ("report_limit_per_hour", "1001",
     "Reports per member per hour: the largest allowed value is 1000."),
    ("auto_hide_threshold", "-1", "Reports that hide a post: the smallest allowed value is 0."),
    ("auto_hide_threshold", "9" * 40,
     "Reports that hide a post: the largest allowed value is 1000."),
])
def test_bad_values_are_400_per_field_and_nothing_is_saved(client, login, admin, name, value,
                                                          message):
    login(admin)
    other = next(key for key in VALID if key != name)
    response = client.post("/admin/settings", data={name: value, other: "7"})
    html = text(response)
    assert response.status_code == 400
    assert f'<p class="field-error" id="{name}-error">{message}</p>' in html
    assert re.search(rf'<input[^>]*aria-invalid="true"[^>]*id="{name}"', html)
    assert "nothing was saved" in html
    # The valid field keeps what was typed, but isn't saved either.
    assert re.search(rf'<input[^>]*id="{other}"[^>]*value="7"', html)
    assert stored() == {}
    assert log() == []


def test_a_number_left_out_keeps_its_value(client, login, admin):
    login(admin)
    response = client.post("/admin/settings", data={"auto_hide_threshold": "5"})
    assert response.status_code == 302
    assert stored() == {"auto_hide_threshold": 5}


def test_needs_csrf(client, login, admin, enable_csrf):
    login(admin)
    response = client.post("/admin/settings", data={**VALID, "auto_hide_threshold": "5"})
    assert response.status_code == 400
    assert stored() == {}


@pytest.fixture
def more_settings(monkeypatch):
    """Settings added later appear on the form without touching the panel."""
    monkeypatch.setitem(SETTINGS, "registration_open", SettingSpec(
        "registration_open", bool, True, "Registration open", "Let new people sign up."))
    monkeypatch.setitem(SETTINGS, "site_tagline", SettingSpec(
        "site_tagline", str, "Makers welcome", "Tagline", "Shown under the name.",
        minimum=3, maximum=40))


def test_new_settings_appear_on_the_form(client, login, admin, more_settings):
    login(admin)
    html = text(client.get("/admin/settings"))
    assert ('<input checked id="registration_open" name="registration_open" type="checkbox" '
            'value="y"><input type="hidden" name="registration_open" value=""> '
            '<label for="registration_open">Registration open</label>') in html
    assert re.search(r'<input[^>]*id="site_tagline"[^>]*maxlength="40"[^>]*'
                     r'value="Makers welcome"', html)
    assert "Shown under the name. Up to 40 characters." in html
    # In declaration order.
    positions = [html.index(f'id="{name}"') for name in SETTINGS]
    assert positions == sorted(positions)


def test_new_settings_are_saved(client, login, admin, more_settings):
    login(admin)
    # An unticked checkbox sends only its empty companion.
    response = client.post("/admin/settings", data={
        **defaults(), "registration_open": "", "site_tagline": "  Tinker  on "})
    assert response.status_code == 302
    assert stored() == {"registration_open": False, "site_tagline": "Tinker on"}
    assert len(log()) == 2
    html = text(client.get("/admin/settings"))
    assert ('<input id="registration_open" name="registration_open" type="checkbox" value="y">'
            '<input type="hidden" name="registration_open" value="">') in html


def test_ticking_a_checkbox(client, login, admin, more_settings):
    site_settings.update(admin, {"registration_open": False})
    login(admin)
    response = client.post("/admin/settings", data={**defaults(), "registration_open": ["y", ""]})
    assert response.status_code == 302
    assert stored()["registration_open"] is True


def test_a_form_from_before_a_setting_existed_leaves_it_alone(client, login, admin,
                                                               more_settings):
    login(admin)
    stale = {key: value for key, value in defaults().items() if key != "registration_open"}
    response = client.post("/admin/settings", data=stale)
    assert response.status_code == 302
    assert "registration_open" not in stored()


def test_new_settings_are_validated(client, login, admin, more_settings):
    login(admin)
    response = client.post("/admin/settings",
                           data={**VALID, "registration_open": "y", "site_tagline": "ab"})
    assert response.status_code == 400
    assert "Tagline: use at least 3 characters." in text(response)
    assert stored() == {}
