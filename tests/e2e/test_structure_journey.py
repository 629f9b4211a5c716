"""An administrator shapes the forum from the browser; a member posts in the new board."""
from __future__ import annotations

from playwright.sync_api import expect

from .conftest import log_in


def test_administrator_creates_a_category_and_board_a_member_posts(page, browser, live_server):
    log_in(page, "admin")
    page.goto("/admin/")
    page.get_by_role("link", name="Categories & boards").click()
    page.get_by_label("Title").fill("Workshop corner")
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_role("heading", name="Workshop corner")).to_be_visible()

    # Up, without any script: a plain form.
    page.get_by_role("button", name="Up “Workshop corner”").click()
    page.get_by_role("link", name="Add a board to “Workshop corner”").click()
    page.get_by_label("Title").fill("Laser cutting")
    page.get_by_label("Who may start threads").select_option("members")
    page.get_by_role("button", name="Create board").click()
    expect(page.locator(".flash")).to_contain_text("/b/laser-cutting")

    member = browser.new_context(base_url=live_server).new_page()
    log_in(member, "member")
    member.goto("/")
    member.get_by_role("link", name="Laser cutting").click()
    member.get_by_role("link", name="New thread").first.click()
    member.get_by_label("Title").fill("Kerf on 3 mm plywood")
    member.get_by_label("Message").fill("What kerf do you measure on 3 mm birch plywood?")
    member.get_by_role("button", name="Start thread").click()
    expect(member.get_by_role("heading", name="Kerf on 3 mm plywood")).to_be_visible()
    member.context.close()


def test_the_structure_page_fits_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    log_in(phone, "admin")
    phone.goto("/admin/structure")
    expect(phone.get_by_role("heading", name="Categories and boards")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0
