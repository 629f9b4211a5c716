"""axe-core on the pages people use most: no serious or critical violations."""
from __future__ import annotations

import pytest

from .conftest import log_in

PAGES = ["/", "/team", "/t/1", "/b/general", "/login", "/register", "/u/admin", "/members",
         "/events", "/events/1"]


def _violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def axe_page(browser, live_server, tmp_path, request):
    # axe is injected as an inline script, which the site's CSP rightly forbids.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    yield page
    page.screenshot(path=str(tmp_path / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_have_no_serious_violations(axe_page, axe_source, path):
    axe_page.goto(path)
    assert _violations(axe_page, axe_source) == []


@pytest.mark.parametrize("path", ["/b/general/new", "/account/profile", "/t/1"])
def test_member_pages_have_no_serious_violations(axe_page, axe_source, path):
    log_in(axe_page, "member")
    axe_page.goto(path)
    assert _violations(axe_page, axe_source) == []


@pytest.mark.parametrize("path", ["/mod/reports", "/mod/reports/1", "/mod/threads/1", "/desk/",
                                  "/notifications"])
def test_moderator_pages_have_no_serious_violations(axe_page, axe_source, path):
    log_in(axe_page, "mod")
    axe_page.goto(path)
    assert _violations(axe_page, axe_source) == []


@pytest.mark.parametrize("path", ["/admin/announcements", "/admin/announcements/new",
                                  "/events/new", "/events/1/edit"])
def test_community_management_pages_have_no_serious_violations(axe_page, axe_source, path):
    log_in(axe_page, "admin")
    axe_page.goto(path)
    assert _violations(axe_page, axe_source) == []


@pytest.mark.parametrize("path", ["/admin/structure", "/admin/structure/boards/new",
                                  "/admin/structure/boards/1/edit",
                                  "/admin/structure/boards/1/delete"])
def test_structure_pages_have_no_serious_violations(axe_page, axe_source, path):
    log_in(axe_page, "admin")
    axe_page.goto(path)
    assert _violations(axe_page, axe_source) == []


@pytest.mark.parametrize("path", ["/admin/settings", "/admin/pages", "/admin/pages/rules",
                                  "/admin/invitations", "/account/invitations", "/accept",
                                  "/rules"])
def test_settings_and_invitation_pages_have_no_serious_violations(axe_page, axe_source, path):
    log_in(axe_page, "admin")
    axe_page.goto(path)
    assert _violations(axe_page, axe_source) == []


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/member",
                                  "/admin/users/member/delete"])
def test_member_management_pages_have_no_serious_violations(axe_page, axe_source, path):
    log_in(axe_page, "admin")
    axe_page.goto(path)
    assert _violations(axe_page, axe_source) == []


def test_the_header_fits_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto("/")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390


def test_the_account_deletion_page_has_no_serious_violations(axe_page, axe_source):
    log_in(axe_page, "member")
    axe_page.goto("/account/delete")
    assert _violations(axe_page, axe_source) == []
