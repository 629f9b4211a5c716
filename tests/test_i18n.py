"""The interface language: chosen per request (member's setting, the footer's cookie, the
browser, the forum's default), shown in ``<html lang>``, and never mixed up by caches."""
from __future__ import annotations

import re

import pytest

from forum import i18n
from forum.extensions import db
from tests import factories
from tests.factories import text

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def _lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', text(response)).group(1)


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


def test_english_unless_asked(client, board):
    page = client.get("/")
    assert _lang(page) == "en" and "Community rules" in text(page)


def test_the_browsers_language(client, board):
    page = client.get("/", headers=GERMAN)
    assert _lang(page) == "de" and "Gemeinschaftsregeln" in text(page)
    # A language we don't have falls back to the forum's default.
    assert _lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_the_footer_switch_remembers_a_guests_choice(client, board):
    switched = client.get("/language/de?next=/b/general")
    assert switched.status_code == 302 and switched.headers["Location"] == "/b/general"
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith("lang=de") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert _lang(client.get("/")) == "de"
    # The choice beats the browser's.
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "de"
    client.get("/language/en")
    assert _lang(client.get("/", headers=GERMAN)) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil", "",
                                    "javascript:alert(1)"])
def test_the_switch_only_leads_back_into_the_forum(client, target):
    response = client.get("/language/de", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_unknown_language_is_not_found(client):
    response = client.get("/language/xx")
    assert response.status_code == 404 and "no interface in that language" in text(response)
    assert "Set-Cookie" not in response.headers


def test_the_switch_shows_guests_every_language_and_the_current_one(client, board):
    html = text(client.get("/", headers=GERMAN))
    assert 'hreflang="en"' in html and 'lang="de" hreflang="de" aria-current="true"' in html


def test_a_members_own_setting_wins(client, login, member, board):
    member.language = "de"
    db.session.commit()
    login(member)
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "de"
    client.set_cookie("lang", "en")
    assert _lang(client.get("/")) == "de"
    # Members choose on their account page, not in the footer.
    assert "language-switch" not in text(client.get("/"))


def test_a_member_without_a_setting_follows_the_browser(client, login, member, board):
    login(member)
    assert _lang(client.get("/", headers=GERMAN)) == "de"


def test_cached_guest_pages_are_kept_per_language(client, board):
    english = client.get("/")
    german = client.get("/", headers=GERMAN)
    assert _lang(english) == "en" and _lang(german) == "de"
    assert _lang(client.get("/")) == "en"
    assert {"Accept-Language", "Cookie"} <= set(german.vary)


def test_catalogs_are_compiled_when_their_source_is_newer(tmp_path):
    po = tmp_path / "de" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Hello"\nmsgstr "Hallo"\n', encoding="utf-8")
    assert i18n.compile_catalogs(tmp_path) == [po.with_suffix(".mo")]
    assert i18n.compile_catalogs(tmp_path) == []  # up to date


# -- the forum's default language ---------------------------------------------------------------
def _german_default(admin):
    from forum.services.site import settings as site_settings

    site_settings.update(admin, {"default_language": "de"})


def test_a_german_forum_greets_guests_who_ask_for_nothing_in_german(client, admin, board):
    _german_default(admin)
    page = client.get("/")
    assert _lang(page) == "de" and "Gemeinschaftsregeln" in text(page)
    # Nothing of ours asked for: still the forum's own language.
    assert _lang(client.get("/", headers={"Accept-Language": "fr"})) == "de"
    # A browser asking for English still gets English.
    assert _lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})) == "en"
    assert _lang(client.get("/", headers={"Accept-Language": "fr, en;q=0.5"})) == "en"


def test_a_members_choice_and_the_footer_still_win_over_the_default(client, login, admin,
                                                                    member, board):
    _german_default(admin)
    client.set_cookie("lang", "en")
    assert _lang(client.get("/")) == "en"
    client.delete_cookie("lang")
    member.language = "en"
    db.session.commit()
    login(member)
    assert _lang(client.get("/")) == "en"


def test_the_default_costs_no_query(client, admin, board, count_queries):
    client.get("/")
    with count_queries() as asked:
        client.get("/", headers={"Accept-Language": "en"})
    with count_queries() as unasked:
        client.get("/")
    assert len(unasked) == len(asked)
    _german_default(admin)
    client.get("/")
    with count_queries() as german:
        assert _lang(client.get("/")) == "de"
    assert len(german) == len(asked)


def test_the_setting_offers_each_language_in_its_own_name(client, login, admin):
    login(admin)
    html = text(client.get("/admin/settings"))
    field = re.search(r'<select[^>]*id="default_language".*?</select>', html, re.S).group(0)
    assert ">English</option>" in field and ">Deutsch</option>" in field
    assert re.search(r'<option[^>]*selected[^>]*value="en"|<option[^>]*value="en"[^>]*selected',
                     field)


def test_saving_the_default_language_is_logged(client, login, admin, board):
    from sqlalchemy import select

    from forum.models import SETTINGS, ModAction

    login(admin)
    form = {spec.name: ("y" if spec.default else "") if spec.type is bool else str(spec.default)
            for spec in SETTINGS.values()}
    refused = client.post("/admin/settings", data={**form, "default_language": "fr"})
    assert refused.status_code == 400 and "English, Deutsch" in text(refused)
    saved = client.post("/admin/settings", data={**form, "default_language": "de"})
    assert saved.status_code == 302
    [entry] = db.session.scalars(select(ModAction).where(ModAction.action == "setting.change"))
    assert (entry.before, entry.after) == ({"value": "en"}, {"value": "de"})
    client.post("/logout")
    client.delete_cookie("session")
    assert _lang(client.get("/")) == "de"
