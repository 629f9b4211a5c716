"""Without JavaScript nothing closes the account menu but its own button: open, it must not
lie over the page, or the first banner's close button can't be reached until it is closed."""
from __future__ import annotations

from playwright.sync_api import expect

from .conftest import log_in


def _uncovered(page, locator) -> bool:
    """Whether the element itself is what a click at its centre reaches."""
    box = locator.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return locator.evaluate(
        "(el, [x, y]) => { const hit = document.elementFromPoint(x, y);"
        " return hit !== null && (hit === el || el.contains(hit)); }", [x, y])


def test_the_open_account_menu_covers_no_banner_button(page, browser, live_server):
    log_in(page, "admin")
    page.goto("/admin/announcements/new")
    page.get_by_label("Title").fill("Workshop night moved to Thursday")
    page.get_by_label("Message").fill("Same place, same time.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash")).to_contain_text("saved")

    for width in (1280, 1024, 600):
        context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                      viewport={"width": width, "height": 900})
        try:
            member = context.new_page()
            log_in(member, "member")
            member.goto("/")
            closes = member.locator(".announcement-close")
            expect(closes.first).to_be_visible()
            member.locator(".menu > summary").click()
            expect(member.get_by_role("link", name="Your profile")).to_be_visible()
            for n in range(closes.count()):
                close = closes.nth(n)
                assert _uncovered(member, close), f"banner button {n} covered at {width}px"
                close.click(trial=True, timeout=2000)
            # The menu itself is whole and usable too.
            assert _uncovered(member, member.get_by_role("link", name="Your profile"))
        finally:
            context.close()

    # And the button does its work with the menu open (the dismissal is the member's).
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    try:
        member = context.new_page()
        log_in(member, "member")
        member.goto("/")
        member.locator(".menu > summary").click()
        banner = member.locator(".announcement", has_text="Workshop night moved to Thursday")
        banner.locator(".announcement-close").click()
        expect(banner).to_have_count(0)
    finally:
        context.close()
