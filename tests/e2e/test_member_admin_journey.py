"""Managing members: the member list on a phone, a reset link from an administrator used by
the member."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import log_in


def test_the_member_list_fits_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    phone = context.new_page()
    log_in(phone, "admin")
    phone.goto("/admin/users")
    expect(phone.get_by_role("heading", name="Members and roles")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    # The table itself fits too, rather than scrolling sideways inside its frame.
    table = phone.evaluate("Math.max(...[...document.querySelectorAll('table, .table-wrap')]"
                           ".map(el => el.scrollWidth))")
    member_page = phone.goto("/admin/users/member")
    assert member_page.status == 200
    member_width = phone.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390
    assert table <= 390
    assert member_width <= 390


def test_an_administrator_gives_a_member_a_reset_link(page, browser, live_server):
    log_in(page, "admin")
    page.goto("/admin/users/witness")
    page.get_by_role("button", name="Make a reset link").click()
    link = page.get_by_label("Reset link").input_value()
    assert re.search(r"/account/reset/[\w-]+$", link)

    member = browser.new_context(base_url=live_server).new_page()
    member.goto(link)
    member.get_by_label("New password", exact=True).fill("a fresh password 42")
    member.get_by_label("Confirm new password").fill("a fresh password 42")
    member.get_by_role("button", name="Set password").click()
    expect(member.get_by_text("Your new password is set")).to_be_visible()
    log_in(member, "witness", "a fresh password 42")
    expect(member.get_by_text("Welcome back")).to_be_visible()
    member.goto(link)
    expect(member.get_by_text("already been used")).to_be_visible()
    member.context.close()
