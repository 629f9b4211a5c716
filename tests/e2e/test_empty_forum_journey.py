"""A community started from nothing, run from the browser alone: the first administrator (made
by ``forum init --no-demo``) shapes the forum, a member posts, a moderator pins, moves and
splits."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import log_in

PASSWORD = "correct horse battery"


def _register(browser, server: str, username: str):
    page = browser.new_context(base_url=server).new_page()
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.wait_for_timeout(1200)  # the form refuses to be sent within a second of showing
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Welcome to Agora, {username}!")).to_be_visible()
    return page


def test_an_empty_forum_is_run_from_the_browser(browser, empty_server):
    admin = browser.new_context(base_url=empty_server).new_page()
    admin.goto("/")
    # What `forum init --no-demo` made: one category, one board.
    expect(admin.get_by_role("link", name="General discussion")).to_be_visible()

    log_in(admin, "founder")
    admin.goto("/admin/structure")
    admin.get_by_label("Title").fill("Workshop")
    admin.get_by_role("button", name="Add category").click()
    expect(admin.get_by_role("heading", name="Workshop")).to_be_visible()
    admin.get_by_role("link", name="Add a board to “Workshop”").click()
    admin.get_by_label("Title").fill("Electronics")
    admin.get_by_role("button", name="Create board").click()
    expect(admin.locator(".flash")).to_contain_text("/b/electronics")

    member = _register(browser, empty_server, "ada")
    moderator = _register(browser, empty_server, "marek")

    admin.goto("/admin/users/marek")
    admin.get_by_label("Role", exact=True).select_option("moderator")
    admin.locator("#role-reason").fill("Runs the workshop")
    admin.get_by_role("button", name="Change role").click()
    expect(admin.get_by_text("is a moderator")).to_be_visible()

    member.goto("/")
    member.get_by_role("link", name="Electronics").click()
    member.get_by_role("link", name="New thread").first.click()
    member.get_by_label("Title").fill("Choosing a soldering station")
    member.get_by_label("Message").fill("Which station would you buy for 100 euros?")
    member.get_by_role("button", name="Start thread").click()
    expect(member.get_by_role("heading", name="Choosing a soldering station")).to_be_visible()
    thread_url = member.url
    member.get_by_label("Your reply").fill("And a second question: which flux do you use for SMD?")
    member.get_by_role("button", name="Post reply").click()
    expect(member.get_by_text("which flux do you use for SMD?")).to_be_visible()
    member.context.close()

    # The moderator: pin, then move with a notice left behind, then split the second question.
    page = moderator
    page.goto(thread_url)
    page.get_by_role("link", name="Moderate this thread").click()
    page.locator("#pin-reason").fill("Asked every week")
    page.get_by_role("button", name="Pin", exact=True).click()
    expect(page.get_by_role("heading", name="Pinned")).to_be_visible()

    page.get_by_label("Move to").select_option(label="General discussion")
    page.get_by_label("Leave a “moved” notice in this board, linking to the new place").check()
    page.locator("#move-reason").fill("Not about electronics only")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("The thread is moved.")

    page.get_by_role("link", name="Split posts out of this thread…").click()
    page.get_by_label(re.compile(r"#2 ada")).check()
    page.get_by_label("New thread's title").fill("Flux for SMD work")
    page.get_by_label("New thread's board").select_option(label="Electronics")
    page.locator("#split-reason").fill("A question of its own")
    page.get_by_role("button", name="Move the chosen posts").click()
    expect(page.locator(".flash")).to_be_visible()

    # Electronics shows where the moved thread went, and the split-off one with the question.
    page.goto("/b/electronics")
    expect(page.locator(".moved-row")).to_contain_text("Choosing a soldering station")
    page.get_by_role("link", name="Flux for SMD work").click()
    expect(page.get_by_role("heading", name="Flux for SMD work")).to_be_visible()
    expect(page.get_by_text("which flux do you use for SMD?")).to_be_visible()
    page.goto("/b/general-discussion")
    row = page.locator("li", has=page.get_by_role("link", name="Choosing a soldering station"))
    expect(row.locator(".badge-pinned")).to_be_visible()

    # Everything the founder and the moderator did is in the log.
    admin.goto("/mod/log")
    logged = admin.locator(".log-table tbody td code").all_inner_texts()
    for action in ("category.create", "board.create", "user.role", "thread.pin", "thread.move",
                   "thread.split"):
        assert action in logged, (action, logged)
    admin.context.close()
    page.context.close()
