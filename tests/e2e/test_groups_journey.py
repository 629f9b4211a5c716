"""An administrator makes a group, adds a member and opens a new board to it alone, without any
script; the pages pass axe and fit a phone."""
from __future__ import annotations

from playwright.sync_api import expect

from .conftest import log_in
from .test_accessibility import _violations


def test_administrator_limits_a_board_to_a_group(page, browser, live_server):
    log_in(page, "admin")
    page.goto("/admin/")
    page.get_by_role("link", name="Groups").click()
    page.get_by_label("Name").fill("Makers Club")
    page.get_by_label("Description (optional)").fill("People who build things")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="Makers Club")).to_be_visible()
    page.get_by_label("Username").fill("member")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".flash")).to_contain_text("Added member to Makers Club.")

    page.goto("/admin/structure/boards/new")
    page.get_by_label("Title").fill("Club bench")
    page.get_by_role("group", name="Only these groups may read").get_by_label(
        "Makers Club").check()
    page.get_by_role("button", name="Create board").click()
    expect(page.locator(".flash")).to_contain_text("/b/club-bench")

    member = browser.new_context(base_url=live_server).new_page()
    log_in(member, "member")
    member.goto("/")
    expect(member.get_by_role("link", name="Club bench")).to_be_visible()
    member.context.close()

    guest = browser.new_context(base_url=live_server).new_page()
    guest.goto("/")
    expect(guest.get_by_role("link", name="General discussion")).to_be_visible()
    expect(guest.get_by_role("link", name="Club bench")).to_have_count(0)
    guest.context.close()


def test_group_pages_pass_axe_and_fit_a_phone(browser, live_server, axe_source):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                  bypass_csp=True)
    phone = context.new_page()
    log_in(phone, "admin")
    for path in ("/admin/groups", "/admin/groups/1", "/admin/groups/1/delete"):
        phone.goto(path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
        assert _violations(phone, axe_source) == [], path
    phone.goto("/admin/structure/boards/new")
    assert _violations(phone, axe_source) == []
    context.close()
