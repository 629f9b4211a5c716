"""Journey 4 in a real browser: an administrator promotes a member to moderator, publishes a
banner and creates an event; a member sees the banner, answers "going" and downloads the
event for their calendar."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from playwright.sync_api import expect

from .conftest import log_in


def _new_context(browser, live_server):
    return browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                               accept_downloads=True)


def test_admin_runs_the_community_and_a_member_joins_an_event(page, browser, live_server,
                                                               tmp_path):
    # The administrator promotes "host" to moderator.
    log_in(page, "admin")
    page.goto("/admin/users/host")
    page.get_by_label("Role", exact=True).select_option(label="Moderator")
    page.locator("#role-reason").fill("Runs our events from now on")
    page.get_by_role("button", name="Change role").click()
    expect(page.locator(".flash")).to_contain_text("host is now a moderator")

    # …publishes a banner for everyone…
    page.goto("/admin/announcements/new")
    page.get_by_label("Title").fill("Expert Q&A with a repair pro next week")
    page.get_by_label("Message").fill("Bring your **broken gadgets**. Details on the events page.")
    page.get_by_label("Severity").select_option("success")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash")).to_contain_text("saved")

    # …and creates an event, typed in Europe/Berlin time.
    starts = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d")
    page.goto("/events/new")
    page.get_by_label("Title").fill("Ask a repair pro")
    page.get_by_label("Kind").select_option(label="Expert Q&A")
    page.get_by_label("Discussion board").select_option(label="General discussion")
    page.get_by_label("Description").fill("Questions about **soldering** and spare parts.")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Starts").fill(f"{starts}T18:00")
    page.get_by_label("Ends").fill(f"{starts}T19:30")
    page.get_by_label("Online link").fill("https://meet.example.org/repair")
    page.get_by_label("Capacity").fill("25")
    page.get_by_role("button", name="Create event").click()
    expect(page.locator(".flash")).to_contain_text("Your event is up")
    event_url = page.url
    assert re.search(r"/events/\d+$", event_url)

    # The new moderator now has the moderation panel.
    context = _new_context(browser, live_server)
    try:
        host = context.new_page()
        log_in(host, "host")
        expect(host.get_by_role("link", name=re.compile(r"^Moderation"))).to_be_visible()
    finally:
        context.close()

    # A member sees the banner, answers "going", and downloads the event.
    context = _new_context(browser, live_server)
    try:
        member = context.new_page()
        log_in(member, "member")
        banner = member.locator(".announcement", has_text="Expert Q&A with a repair pro")
        expect(banner).to_be_visible()
        expect(banner.locator(".announcement-body strong")).to_have_text("broken gadgets")
        member.goto("/events")
        member.get_by_role("link", name="Ask a repair pro").first.click()
        member.get_by_role("button", name="Going").click()
        expect(member.locator(".flash")).to_contain_text("You're going")
        expect(member.locator("main")).to_contain_text("member")

        with member.expect_download() as download_info:
            member.get_by_role("link", name=re.compile(r"Add to calendar")).click()
        saved = tmp_path / "event.ics"
        download_info.value.save_as(saved)
        calendar = Calendar.from_ical(saved.read_bytes())
        (vevent,) = calendar.walk("VEVENT")
        assert str(vevent["SUMMARY"]) == "Ask a repair pro"
        start = vevent.decoded("DTSTART")
        assert str(start.tzinfo) == "Europe/Berlin" and start.hour == 18
        assert vevent.decoded("DTEND") - start == timedelta(minutes=90)
        assert str(vevent["URL"]).endswith(event_url.rsplit("/", 1)[-1])

        # The banner can be closed, and stays closed on the next page.
        banner.get_by_role("button", name=re.compile(r"^Dismiss")).click()
        member.goto("/")
        closed = member.locator(".announcement", has_text="Expert Q&A with a repair pro")
        expect(closed).to_have_count(0)
        member.screenshot(path=str(tmp_path / "member.png"), full_page=True)
    finally:
        context.close()
