"""The desk in a real browser: a moderator sees what waits for an answer, answers a question
with a canned response without leaving the desk, and the item is gone."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import log_in


def test_a_moderator_answers_from_the_desk(page):
    log_in(page, "mod")
    page.locator("details.menu summary").first.click()
    page.get_by_role("link", name="The team's desk").click()
    expect(page.get_by_role("heading", name="What waits for the team")).to_be_visible()
    row = page.locator('#desk-items tr[data-kind="unanswered"]',
                       has_text="Which iron for SMD work?")
    expect(row).to_contain_text("Unanswered thread")
    # The asker is new too: their first post waits for a welcome beside it.
    expect(page.locator("#desk-items tr[data-kind=\"first_post\"]",
                        has_text="Which iron for SMD work?")).to_be_visible()
    row.get_by_role("link", name="Which iron for SMD work?").click()
    expect(page.locator("main")).to_contain_text("Which iron should I get?")
    page.get_by_role("link", name="Thanks for asking").click()
    expect(page.get_by_label("Your reply")).to_have_value(re.compile(r"^Thanks for asking, asker!"))
    page.get_by_role("button", name="Post reply and close the item").click()
    expect(page.locator(".flash")).to_contain_text("Your reply is posted and the item is done.")
    expect(page.locator("main")).not_to_contain_text("Which iron for SMD work?")
    page.goto("/b/general")
    thread_row = page.locator(".thread-row", has_text="Which iron for SMD work?")
    expect(thread_row).to_contain_text("Team replied")
