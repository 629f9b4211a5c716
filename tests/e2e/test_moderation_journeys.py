"""Moderation in a real browser: a report handled in one step; a thread slowed and another
locked, as the members see it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import log_in


def _as(browser, live_server, username: str, tmp_path, shots: list):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, username)
    shots.append((page, tmp_path / f"{username}.png"))
    return context, page


def test_report_is_handled_in_one_step(page, browser, live_server, tmp_path):
    shots: list = []
    # The reporter.
    log_in(page, "member")
    page.goto("/b/general")
    page.get_by_role("link", name="Printer upgrades").first.click()
    spam = page.locator("article.post", has_text="Buy cheap watches")
    spam.get_by_role("link", name=re.compile(r"^Report")).click()
    page.get_by_label("Spam").check()
    page.get_by_label("Anything the moderators should know?").fill("Advertising in a help thread.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".flash")).to_contain_text("Thank")

    contexts = []
    try:
        # The moderator: queue, item in context, hide + warn in one step.
        context, mod = _as(browser, live_server, "mod", tmp_path, shots)
        contexts.append(context)
        mod.get_by_role("link", name=re.compile(r"^Moderation")).click()
        mod.locator(".queue-item", has_text="Buy cheap watches").get_by_role("link").first.click()
        expect(mod.locator(".context-post.is-reported")).to_contain_text("Buy cheap watches")
        expect(mod.get_by_text("Advertising in a help thread.")).to_be_visible()
        mod.get_by_label("Hide the post").check()
        mod.get_by_label("Warn", exact=True).check()
        mod.get_by_label(re.compile(r"^Message to the member")).fill(
            "Please don't advertise in help threads.")
        mod.get_by_label(re.compile(r"^Reason")).fill("Advertising")
        mod.get_by_role("button", name="Resolve report").click()
        expect(mod.locator(".flash")).to_contain_text("hid the post, warned the author")

        # The author sees the warning.
        context, author = _as(browser, live_server, "seller", tmp_path, shots)
        contexts.append(context)
        author.get_by_role("link", name=re.compile(r"^Notifications")).click()
        warning = author.locator(".notification-text", has_text="You received a warning")
        expect(warning).to_be_visible()
        expect(author.locator("main")).to_contain_text("Please don't advertise in help threads.")

        # The reporter sees the outcome, not who handled it.
        page.goto("/notifications")
        outcome = page.locator(".notification-text", has_text="A moderator reviewed it and took")
        expect(outcome).to_be_visible()
        # Never who handled it: no link to the moderator's profile, no name.
        expect(page.locator("main a[href='/u/mod']")).to_have_count(0)
    finally:
        for shot_page, path in shots:
            shot_page.screenshot(path=str(path), full_page=True)
        for context in contexts:
            context.close()


def test_slow_mode_and_lock_as_members_see_them(page, browser, live_server, tmp_path):
    shots: list = []
    context, mod = _as(browser, live_server, "mod", tmp_path, shots)
    try:
        mod.goto("/b/general")
        mod.get_by_role("link", name="Tabs or spaces?").first.click()
        mod.get_by_role("link", name="Moderate").click()
        mod.get_by_label("Interval", exact=True).select_option("300")
        mod.locator("#slow-reason").fill("Too heated")
        mod.get_by_role("button", name="Set slow mode").click()
        expect(mod.locator(".flash")).to_contain_text("Slow mode is on")

        mod.goto("/b/general")
        mod.get_by_role("link", name="Contest entries").first.click()
        mod.get_by_role("link", name="Moderate").click()
        mod.get_by_label("Until unlocked").check()
        mod.locator("#lock-reason").fill("Entries are closed")
        mod.get_by_role("button", name="Set the lock").click()
        expect(mod.locator(".flash")).to_contain_text("lock is set")
    finally:
        mod.screenshot(path=str(tmp_path / "mod.png"), full_page=True)
        context.close()

    log_in(page, "member")
    page.goto("/b/general")
    page.get_by_role("link", name="Tabs or spaces?").first.click()
    expect(page.locator(".notice-slow")).to_contain_text("Slow mode")
    page.get_by_label("Your reply").fill("Spaces, obviously.")
    page.get_by_role("button", name="Post reply").click()
    page.get_by_label("Your reply").fill("And another thing…")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".notice-slow, .flash-error, .form-error")).to_contain_text(
        re.compile(r"You can reply again in \d+ min"))
    expect(page.get_by_label("Your reply")).to_have_value("And another thing…")

    page.goto("/b/general")
    page.get_by_role("link", name="Contest entries").first.click()
    expect(page.locator(".notice-locked")).to_contain_text(
        "Locked by a moderator: Entries are closed")
    expect(page.get_by_label("Your reply")).to_have_count(0)


def test_spam_report_is_resolved_from_the_queue_in_two_page_loads(browser, live_server,
                                                                   tmp_path):
    """The common case measured: the queue, then one click on the row's macro. Every page the
    browser loads counts, a redirect's target included."""
    shots: list = []
    context, mod = _as(browser, live_server, "mod", tmp_path, shots)
    try:
        # Logged in and home first: that page isn't part of the count.
        expect(mod).not_to_have_url(re.compile(r"/login"))
        mod.wait_for_load_state("load")
        loads: list[str] = []
        mod.on("load", lambda loaded: loads.append(loaded.url))
        mod.goto("/mod/reports")
        row = mod.locator(".queue-item", has_text="Cheap soldering irons")
        row.get_by_role("button", name=re.compile(r"^Spam removed")).click()
        expect(mod.locator(".flash", has_text="hid the post, warned the author")).to_be_visible()
        expect(mod.locator(".queue-item", has_text="Cheap soldering irons")).to_have_count(0)
        assert len(loads) <= 2, loads

        # The author was warned with the macro's text, the post is hidden from members.
        author_context, author = _as(browser, live_server, "seller", tmp_path, shots)
        try:
            author.goto("/notifications")
            expect(author.locator("main")).to_contain_text(
                "we removed your post because it advertises a shop")
        finally:
            author_context.close()
    finally:
        for shot_page, path in shots:
            if not shot_page.is_closed():
                shot_page.screenshot(path=str(path), full_page=True)
        context.close()


def test_choosing_a_macro_fills_the_item_form_without_a_reload(browser, live_server, tmp_path):
    shots: list = []
    context, mod = _as(browser, live_server, "mod", tmp_path, shots)
    try:
        mod.goto("/mod/reports")
        mod.locator(".queue-item", has_text="Also selling filament").get_by_role(
            "link").first.click()
        # Opening the item claimed it; the reason starts as the reports' most common one.
        expect(mod.locator(".page-actions")).to_contain_text("Claimed by")
        expect(mod.get_by_label(re.compile(r"^Reason"))).to_have_value("Spam")
        # The edit text and the board list wait for their boxes.
        expect(mod.get_by_label("New text of the post")).to_be_hidden()
        mod.get_by_label(re.compile(r"^Edit the post")).check()
        expect(mod.get_by_label("New text of the post")).to_be_visible()
        mod.get_by_label(re.compile(r"^Edit the post")).uncheck()
        expect(mod.get_by_role("button", name="Use this response")).to_be_hidden()

        loads: list[str] = []
        mod.on("load", lambda loaded: loads.append(loaded.url))
        mod.get_by_label("Canned response").select_option(label="Spam removed")
        expect(mod.get_by_label("Hide the post")).to_be_checked()
        expect(mod.get_by_label("Warn", exact=True)).to_be_checked()
        expect(mod.get_by_label(re.compile(r"^Message to the member"))).to_have_value(
            re.compile(r"^Hi seller, we removed your post"))
        assert loads == []
    finally:
        for shot_page, path in shots:
            shot_page.screenshot(path=str(path), full_page=True)
        context.close()
