"""What a person does, in a real browser against a real server."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import log_in

XSS = '<script>window.__pwned = 1; alert("xss")</script> <img src=x onerror="alert(2)">'


def test_visitor_registers_posts_replies_and_edits(page):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Confirm password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".account-nav summary")).to_contain_text("newcomer")

    page.goto("/b/general")
    page.get_by_role("link", name="New thread").first.click()
    page.get_by_label("Title").fill("My first build log")
    page.get_by_label("Message").fill(
        "Here is my **config**:\n\n```ini\n[printer]\nspeed = 60\n```\n\n"
        "Docs at https://example.org/docs and a [guide](https://example.org/guide).\n\n" + XSS
    )
    page.get_by_role("button", name="Start thread").click()

    expect(page.get_by_role("heading", name="My first build log")).to_be_visible()
    first = page.locator("article.post").first
    expect(first.locator("pre code")).to_contain_text("speed = 60")
    link = first.get_by_role("link", name="guide")
    expect(link).to_have_attribute("rel", "nofollow ugc noopener")
    expect(first.locator(".post-body")).to_contain_text("<script>")
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []

    page.get_by_label("Your reply").fill("Update: *printed* the first part.")
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator("article.post").last
    expect(reply.locator("em")).to_have_text("printed")

    reply.get_by_role("link", name="Edit").click()
    page.get_by_label("Message").fill("Update: printed the first **two** parts.")
    page.get_by_role("button", name="Save changes").click()
    reply = page.locator("article.post").last
    expect(reply.locator("strong")).to_have_text("two")
    expect(reply).to_contain_text("edited")
    assert page.dialogs == []


def test_search_finds_a_post_by_a_word_in_its_body(page):
    log_in(page, "member")
    page.goto("/b/general")
    page.get_by_role("link", name="New thread").first.click()
    page.get_by_label("Title").fill("Resin curing times")
    page.get_by_label("Message").fill("My prints stay tacky: the photopolymerization seems slow.")
    page.get_by_role("button", name="Start thread").click()

    page.get_by_role("searchbox", name="Search the forum").fill("photopolymerization")
    page.get_by_role("searchbox", name="Search the forum").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=photopolymerization"))
    expect(page.get_by_role("link", name="Resin curing times").first).to_be_visible()
    expect(page.locator("mark, strong.match").first).to_contain_text("photopolymerization")


def test_thread_fits_a_phone_screen(browser, live_server, tmp_path):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto("/t/1")
    expect(page.locator("article.post").first).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=str(tmp_path / "thread-mobile.png"), full_page=True)
    context.close()
    assert overflow <= 0, f"the thread page scrolls sideways by {overflow}px on a phone"
