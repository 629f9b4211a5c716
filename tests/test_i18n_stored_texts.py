"""What the forum stores and shows later reads in the reader's language, not the writer's:
notifications (a key and parameters), the moderation log's actions and targets, and how a
report was handled. Rows from before are shown as written, or recognised."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
from flask_babel import force_locale

from forum.extensions import db
from forum.models import Notification, NotificationKind
from forum.services import audit, audit_names, notification_texts, notifications
from forum.services.moderation import resolution, sanctions, summaries
from tests.factories import said, text
from tests.services.moderation_kit import reported_post

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ROOT = Path(__file__).resolve().parent.parent
MOMENT = "2026-12-01T09:30:00+00:00"

# One value for every parameter any notification takes.
PARAMS = {"name": "ann", "title": "Bench vices", "username": "ann", "ends_at": MOMENT,
          "starts_at": MOMENT, "until_at": MOMENT, "length_seconds": 7200,
          "interval_seconds": 90, "old": "Old title", "board": "Help", "into": "Resin smells",
          "num": 2, "group": "Makers", "boards": ["art", "books"], "reason": "Be kind",
          "subject": "Swap a drill", "host": "hooks.example.org", "entry": "Tidy bench"}


def words(key: str, language: str, params=None, tz: str | None = "UTC"):
    with force_locale(language):
        return notification_texts.render(key, params or PARAMS, tz=tz)


# -- notifications ---------------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(notification_texts.TEXTS))
@pytest.mark.parametrize("num", [1, 2])
def test_every_notification_reads_in_english_and_german(app, key, num):
    params = {**PARAMS, "num": num}
    english, german = words(key, "en", params), words(key, "de", params)
    for shown in (english, german):
        assert shown.text and shown.text != key and "%(" not in shown.text
    assert english.text != german.text
    assert (english.body, german.body) == ("Reason: Be kind", "Grund: Be kind")


def test_moments_lengths_and_boards_are_shown_for_the_reader(app):
    berlin = words("event.starting", "en", tz="Europe/Berlin").text
    assert berlin == "Starting soon: “Bench vices” at 1 Dec 2026, 10:30 (Europe/Berlin)"
    assert words("thread.locked_for", "en").text.endswith("for 2 hr.")
    assert words("role.boards", "de").text == "Du moderierst jetzt /b/art, /b/books."
    assert words("thread.split_new", "de", {**PARAMS, "num": 1}).text.startswith(
        "Ein Moderator hat einen Beitrag deines Themas")


def test_a_row_from_before_keys_is_shown_as_stored(app):
    old = Notification(kind="sanction", text="You received a warning from the moderators.",
                       body="Reason: Rude")
    with force_locale("de"):
        shown = notification_texts.shown(old)
    assert (shown.text, shown.body) == ("You received a warning from the moderators.",
                                        "Reason: Rude")
    # A key this version doesn't know, or parameters that don't fit it: the stored words.
    assert notification_texts.render("gone.away", {}, "Stored", None).text == "Stored"
    assert notification_texts.render("post.reply", {"name": "x"}, "Stored", None).text == "Stored"


def test_one_stored_warning_reads_in_each_readers_language(client, login, moderator, member):
    sanctions.warn(moderator, member, "Rude words", message="Please read the rules.")
    [note] = db.session.query(Notification).filter_by(recipient_id=member.id).all()
    assert (note.key, note.text, note.body) == ("sanction.warning", "", None)
    assert note.params == {"reason": "Rude words", "message": "Please read the rules."}
    login(member)

    english = text(client.get("/notifications"))
    assert "You received a warning from the moderators." in english
    assert "Reason: Rude words<br><br>Please read the rules." in english
    member.language = "de"
    db.session.commit()
    german = text(client.get("/notifications"))
    assert "Du hast eine Verwarnung vom Moderationsteam erhalten." in german
    assert "Grund: Rude words<br><br>Please read the rules." in german


def test_the_export_words_notifications_in_the_members_language(app, member, other_member):
    notifications.notify(member, NotificationKind.REPLY, "post.reply",
                         {"name": "other", "title": "Hi"}, "/p/1", actor=other_member)
    member.language = "de"
    db.session.commit()
    [row] = notifications.export_notifications(member)
    assert row["text"] == "other hat auf „Hi“ geantwortet"
    assert (row["key"], row["params"]) == ("post.reply", {"name": "other", "title": "Hi"})


# -- the migration's recognition of English rows ----------------------------------------------
def _migration():
    path = ROOT / "migrations" / "versions" / "b7d3e5f1a2c4_notification_keys.py"
    spec = importlib.util.spec_from_file_location("notification_keys", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# (kind, the English the forum stored, the body, what it reads as now when different)
OLD_ROWS = [
    ("reply", "Olive Other replied to “Bench vices”", None, None),
    ("quote", "third quoted you in “Bench vices”", None, None),
    ("moderation", "A moderator hid your post in “Watches”.", "Reason: Spam", None),
    ("moderation", "Your post in “Watches” is hidden until a moderator reviews it.", None, None),
    ("report_outcome", "Thanks for your report about @zed. A moderator reviewed it and took "
     "action.", None, None),
    ("report_outcome", "Thanks for your report about a post in “Watches”. A moderator "
     "reviewed it and found that no action was needed.", None, None),
    ("sanction", "You received a warning from the moderators.",
     "Reason: Rude\n\nPlease read the rules.", None),
    ("sanction", "Your account is suspended until 1 Dec 2026, 09:30 UTC.", "Reason: Again",
     "Your account is suspended until 1 Dec 2026, 09:30 (UTC)."),
    ("sanction", "Your timeout was lifted early.", None, None),
    ("moderation", "A moderator locked your thread “Heated” for 2 days 3 h.", "Reason: x",
     "A moderator locked your thread “Heated” for 2 days 3 hr."),
    ("moderation", "A moderator put your thread “Heated” in slow mode: one post every 1 min 30 s "
     "until 1 Dec 2026, 09:30 UTC.", "Reason: x",
     "A moderator put your thread “Heated” in slow mode: one post every 1 min 30 sec until "
     "1 Dec 2026, 09:30 (UTC)."),
    ("moderation", "A moderator moved your thread “Which slicer?” to a board you can't open.",
     "Reason: x", None),
    ("moderation", "A moderator moved your thread “Which slicer?” to Help desk.", "Reason: x",
     None),
    ("moderation", "A moderator split 2 posts of your thread “Mixed” into a new thread, "
     "“Resin smells”.", "Reason: x", None),
    ("moderation", "A moderator moved a post of your thread “Mixed” to a thread in a board you "
     "can't open.", "Reason: x", None),
    ("group", "You were added to the group Makers.", None, None),
    ("role", "You now moderate /b/art, /b/books.", None, None),
    ("role", "You are now an administrator.", None, None),
    ("account", "An administrator changed your account's username or email.", None, None),
    ("event", "“Meetup” has a new time: 1 Dec 2026, 10:30 (Europe/Berlin)", None, None),
    ("event", "“Meetup” is cancelled", "Venue flooded", None),
    ("event", "Starting soon: “Meetup” at 1 Dec 2026, 10:30 (Europe/Berlin)", None, None),
]


@pytest.mark.parametrize("kind, stored, body, now_reads", OLD_ROWS)
def test_the_migration_recognises_what_the_forum_wrote(app, kind, stored, body, now_reads):
    key, params = _migration().recognise(kind, stored, body)
    zone = "Europe/Berlin" if kind == "event" else "UTC"
    assert words(key, "en", params, tz=zone).text == (now_reads or stored)
    assert words(key, "de", params, tz=zone).text != (now_reads or stored)
    if body:
        assert "Reason:" in words(key, "en", params).body


def test_the_migration_keeps_the_parts_it_reads():
    recognise = _migration().recognise
    assert recognise("sanction", "You received a warning from the moderators.",
                     "Reason: Rude\n\nPlease read the rules.") == (
        "sanction.warning", {"reason": "Rude", "message": "Please read the rules."})
    assert recognise("moderation", "A moderator locked your thread “T” for 2 days 3 h.",
                     None) == ("thread.locked_for", {"title": "T", "length_seconds": 183600})
    assert recognise("event", "Starting soon: “M” at 1 Dec 2026, 10:30 (Europe/Berlin)",
                     None) == ("event.starting", {"title": "M", "starts_at": MOMENT})


@pytest.mark.parametrize("kind, stored", [
    ("reply", "Someone did something"),
    ("reply", "ann replied to “" + "x" * 280 + "…"),  # cut short at the length limit
    ("sanction", "A moderator hid your post in “T”."),  # the sentence of another kind
    ("event", "Starting soon: “M” at 1 Dec 2026, 10:30 (Nowhere/Atlantis)"),
])
def test_the_migration_leaves_other_rows_as_they_are(kind, stored):
    assert _migration().recognise(kind, stored, None) is None


# -- the moderation log ------------------------------------------------------------------------
def _logged_codes() -> set[str]:
    """Every action the source logs: the literal of each ``audit.record`` call, and in a module
    that passes a name held elsewhere, every ``noun.verb`` literal it has."""
    codes: set[str] = set()
    for path in (ROOT / "forum").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        held_elsewhere = False
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit" and len(node.args) > 1):
                continue
            action = node.args[1]
            if isinstance(action, ast.Constant):
                codes.add(action.value)
            else:
                held_elsewhere = True
        if held_elsewhere:
            codes |= {node.value for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and audit.ACTION_RE.match(node.value)}
    # Notification keys share the shape; the module that sanctions also tells the member.
    return codes - set(notification_texts.TEXTS)


def test_every_logged_action_has_a_name():
    codes = _logged_codes()
    assert {"user.warn", "user.ban", "user.delete", "account.delete", "thread.lock"} <= codes
    assert sorted(codes - set(audit_names.ACTION_NAMES)) == []


def test_action_names_in_both_languages(app):
    with force_locale("de"):
        assert audit_names.action_name("user.warn") == "Mitglied verwarnt"
    with force_locale("en"):
        assert audit_names.action_name("user.warn") == "Member warned"
    assert audit_names.action_name("new.thing") == "new.thing"


def test_every_target_label_reads_in_german(app, moderator, member):
    post, item = reported_post(author=member)
    warning = sanctions.warn(moderator, member, "Rude")
    board = post.thread.board
    labels = [audit.describe(target)[::3] for target in
              (member, post, post.thread, board, board.category, item, warning)]
    labels += [("document", "community rules v2"), ("document", "document imprint v1"),
               ("invitation", "invitation #4 “For Sam”"), ("setting", "setting forum_name"),
               ("canned", "canned response “Spam”"), ("group", "group “Makers”")]
    with force_locale("de"):
        shown = [audit_names.target_label(kind, label) for kind, label in labels]
    assert shown[:2] == [f"Mitglied @{member.username}",
                         f"Beitrag #{post.id} in „{post.thread.title}“"]
    assert shown[5:7] == [f"Meldung #{item.id}", f"Verwarnung #{warning.id}"]
    assert shown[7:] == ["Gemeinschaftsregeln v2", "Dokument imprint v1",
                         "Einladung #4 „For Sam“", "Einstellung forum_name",
                         "Textvorlage „Spam“", "Gruppe „Makers“"]
    assert all(german != english for german, (_, english) in zip(shown, labels, strict=True))
    # A label cut short, or of a kind not known, shows as stored.
    assert audit_names.target_label("thread", "thread “Very long…") == "thread “Very long…"
    assert audit_names.target_label(None, "") == ""


def test_the_log_page_names_actions_and_targets_in_german(client, login, moderator, member):
    sanctions.warn(moderator, member, "Rude")
    login(moderator)
    html = text(client.get("/mod/log", headers=GERMAN))
    assert "Mitglied verwarnt" in html and "<code class=\"small muted\">user.warn</code>" in html
    assert f"Mitglied @{member.username}" in html
    assert '<option value="user.warn">Mitglied verwarnt</option>' in html
    english = text(client.get("/mod/log"))
    assert '<option value="user.warn">Member warned</option>' in english


# -- how a report was handled --------------------------------------------------------------------
def test_report_outcomes_are_stored_as_codes_and_worded_for_the_reader(app, moderator):
    _post, item = reported_post()
    resolution.resolve(moderator, item, [resolution.Action("hide_post", "Spam"),
                                         resolution.Action("warn", "Spam again")])
    assert item.resolution == "hide_post,warn"
    with force_locale("de"):
        assert summaries.summary_text(item.resolution) == (
            "Beitrag ausgeblendet, Autor/in verwarnt")
        assert summaries.summary_text("move_thread:help") == "Thema nach /b/help verschoben"
        # Summaries stored in English before codes are recognised…
        assert summaries.summary_text("hid the post, moved the thread to /b/help") == (
            "Beitrag ausgeblendet, Thema nach /b/help verschoben")
        assert summaries.summary_text("no action needed") == "kein Handlungsbedarf"
        # …and anything else is shown as stored.
        assert summaries.summary_text("Looked at it.") == "Looked at it."
        assert summaries.summary_text("mystery_code") == "mystery_code"
    assert summaries.summary_text(None) == ""


def test_the_report_page_shows_the_outcome_in_german(client, login, moderator):
    _post, item = reported_post()
    resolution.dismiss(moderator, item, "Fine as it is")
    login(moderator)
    html = text(client.get(f"/mod/reports/{item.id}", headers=GERMAN))
    assert "kein Handlungsbedarf" in html and "no action needed" not in html


def test_the_reporter_hears_the_outcome_in_their_language(app, moderator):
    _post, item = reported_post()
    reporter = item.reports[0].reporter
    resolution.dismiss(moderator, item, "Fine")
    [note] = db.session.query(Notification).filter_by(recipient_id=reporter.id).all()
    with force_locale("de"):
        assert said(note).startswith("Danke für deine Meldung zu einem Beitrag in „")
    assert said(note).endswith("found that no action was needed.")


# Keys that came after notifications were stored as keys: no row holds their English.
KEYS_SINCE_THE_MIGRATION = {
    "account.approved", "account.two_factor_off", "appeal.upheld", "appeal.reduced",
    "appeal.lifted", "post.approved", "post.rejected", "sanction.points_timeout",
    "sanction.points_suspension", "conversation.started", "conversation.team",
    "conversation.message", "conversation.added", "report.message.dismissed",
    "report.message.actioned", "desk.assigned",
    "post.mention", "post.team_mention", "thread.posts",
    "post.reactions", "bookmark.reminder", "report.message.removed", "message.hidden",
    "webhook.disabled.gone", "webhook.disabled.failing", "user.avatar_reset",
    "challenge.disqualified", "challenge.results",
}


def test_the_migration_knows_a_sentence_for_every_key():
    # Each older key's English was written by the forum before keys were stored, so the
    # migration's copy of those sentences names exactly the registry's keys of that time.
    keys = {key for _kind, key, _pattern, _convert in _migration().SENTENCES}
    assert keys == set(notification_texts.TEXTS) - KEYS_SINCE_THE_MIGRATION


# -- reasons the forum writes by itself -----------------------------------------------------------

def test_the_forums_own_reasons_are_worded_for_the_reader(app):
    from flask_babel import force_locale

    from forum.services.moderation import system_reasons

    hidden = system_reasons.auto_hidden(3)
    logged = system_reasons.auto_hide_logged(1)
    reviewed = system_reasons.reviewed(hidden)
    with force_locale("de"):
        assert system_reasons.shown(hidden) == (
            "Von 3 Mitgliedern gemeldet; ausgeblendet, bis die Moderation es prüft.")
        assert system_reasons.shown(logged) == "1 Mitglied hat es gemeldet."
        assert system_reasons.shown(reviewed).startswith("Geprüft: Von 3 Mitgliedern")
        # What a moderator typed stays as typed.
        assert system_reasons.shown("Reported by a friend") == "Reported by a friend"
        assert system_reasons.shown(None) == ""
    with force_locale("en"):
        assert system_reasons.shown(hidden) == hidden
        assert system_reasons.shown(logged) == "1 member reported it."
