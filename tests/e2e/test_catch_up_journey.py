"""Come back and catch up: a member reads a thread, leaves; someone replies mentioning them;
back again they see what is new and where, land on the first unread post, say thanks with a
reaction and bookmark it, all without any script."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import log_in


def test_a_member_comes_back_and_catches_up(page, browser, live_server):
    # The member starts a thread (and so watches it) and has read all of it.
    log_in(page, "member")
    page.goto("/b/general/new")
    page.get_by_label("Title").fill("Which soldering iron?")
    page.get_by_label("Message").fill("Looking for a first iron under 50 euros.")
    page.get_by_role("button", name="Start thread").click()
    expect(page.get_by_role("heading", name="Which soldering iron?")).to_be_visible()
    thread_url = page.url.split("#")[0]
    expect(page.get_by_role("combobox", name="Notifications")).to_have_value("watching")

    # Meanwhile another member replies and calls the member by name.
    other = browser.new_context(base_url=live_server).new_page()
    log_in(other, "maker")
    other.goto(thread_url)
    other.get_by_label("Your reply").fill("A temperature-controlled one, @member. Worth it.")
    other.get_by_role("button", name="Post reply").click()
    expect(other.locator(".post-body").last).to_contain_text("Worth it.")
    other.context.close()

    # Back again: the board says what is new, the bell says who called.
    page.goto("/b/general")
    row = page.locator(".thread-row", has_text="Which soldering iron?")
    expect(row.get_by_role("link", name=re.compile("1 new"))).to_be_visible()
    page.goto("/notifications")
    expect(page.locator(".notification").first).to_contain_text(
        "maker mentioned you in “Which soldering iron?”")
    page.goto("/new")
    expect(page.get_by_role("link", name="Which soldering iron?")).to_be_visible()

    # The mark leads to the first unread post.
    page.goto("/b/general")
    page.locator(".thread-row", has_text="Which soldering iron?").get_by_role(
        "link", name=re.compile("1 new")).click()
    expect(page).to_have_url(re.compile(r"#p\d+$"))
    reply = page.locator("article.post").last
    expect(reply).to_contain_text("Worth it.")
    expect(reply.get_by_role("link", name="maker").first).to_be_visible()

    # Thanks, without a post: a reaction.
    reply.get_by_role("button", name="Thanks").click()
    reply = page.locator("article.post").last
    expect(reply.get_by_role("button", name="Thanks")).to_have_attribute("aria-pressed", "true")
    expect(reply.locator(".post-reactions")).to_contain_text("1")

    # And keep it for later.
    reply.get_by_role("link", name="Bookmark").click()
    page.get_by_label("Note (optional)").fill("Buy this one")
    page.get_by_role("button", name="Bookmark").click()
    page.goto("/bookmarks")
    expect(page.locator(".bookmark")).to_contain_text("Buy this one")

    # Read now: nothing new left.
    page.goto("/b/general")
    row = page.locator(".thread-row", has_text="Which soldering iron?")
    expect(row.get_by_role("link", name=re.compile("new"))).to_have_count(0)
