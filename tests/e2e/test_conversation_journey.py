"""Journey: two members arrange a trade by private message, one reports a message and then
blocks the other; a moderator reads the reported message (and only its context) in the
queue."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import log_in


def test_a_trade_by_message_a_report_and_a_block(page, browser, live_server):
    # The buyer writes from the trader's profile.
    log_in(page, "buyer")
    page.goto("/u/trader")
    page.get_by_role("link", name="Send a message").click()
    expect(page.get_by_label("To")).to_have_value("trader")
    page.get_by_label("Subject").fill("Your bench drill")
    page.get_by_label("Message", exact=True).fill(
        "Is the **bench drill** still for sale? I can pick it up.")
    page.get_by_role("button", name="Start the conversation").click()
    expect(page.locator(".flash")).to_contain_text("Your conversation has started")
    conversation_url = page.url
    assert re.search(r"/messages/\d+$", conversation_url)

    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        trader = context.new_page()
        log_in(trader, "trader")
        # The header counts the unread conversation beside the bell.
        messages_link = trader.get_by_role("link", name="Conversations: 1 unread")
        expect(messages_link).to_be_visible()
        messages_link.click()
        trader.get_by_role("link", name="Your bench drill").click()
        expect(trader.locator("article.message")).to_contain_text("still for sale")
        trader.get_by_label("Your answer").fill("Yes, 40 euros. Saturday at 10?")
        trader.get_by_role("button", name="Send").click()
        expect(trader.locator("article.message").last).to_contain_text("Saturday at 10?")
        trader.get_by_label("Your answer").fill("And don't you dare haggle, you clown.")
        trader.get_by_role("button", name="Send").click()

        # The buyer reads the answers and reports the rude one.
        page.goto(conversation_url)
        expect(page.locator("article.message")).to_have_count(3)
        rude = page.locator("article.message").last
        rude.get_by_role("link", name=re.compile("^Report")).click()
        page.get_by_label("Harassment").check()
        page.get_by_role("button", name=re.compile("report", re.I)).click()
        expect(page.locator(".flash")).to_contain_text("Thank you")

        # …and blocks the trader, who is not told, but can't start another conversation.
        page.goto("/u/trader")
        page.locator("summary", has_text="Block member").click()
        page.locator("form[action$='/block']").get_by_role("button",
                                                             name="Block member").click()
        expect(page.locator(".flash")).to_contain_text("You blocked")
        page.goto("/account/blocked")
        expect(page.locator("main")).to_contain_text("trader")

        trader.goto("/u/buyer")
        expect(trader.locator("main")).not_to_contain_text("blocked")
        trader.goto("/messages/new?to=buyer")
        trader.get_by_label("Subject").fill("Another thing")
        trader.get_by_label("Message", exact=True).fill("Hello?")
        trader.get_by_role("button", name="Start the conversation").click()
        expect(trader.locator("main")).to_contain_text("buyer can't receive messages from you.")
    finally:
        context.close()

    # A moderator sees the reported message with its context, nothing more of the talk.
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        moderator = context.new_page()
        log_in(moderator, "mod")
        moderator.goto("/mod/reports")
        moderator.get_by_role("link", name="Private message by @trader").click()
        expect(moderator.locator("main")).to_contain_text("you clown")
        expect(moderator.locator("main")).to_contain_text("still for sale")
        moderator.goto(conversation_url)
        expect(moderator.locator("main")).not_to_contain_text("you clown")
    finally:
        context.close()
