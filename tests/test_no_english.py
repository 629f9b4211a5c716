"""A German community sees no English, an English one no German: every page of the
authorization matrix, the members' and the public pages, rendered in each language, with the
words people wrote taken out, must not contain a telltale word of the other language.

The check reads what a person reads: text between tags and the attributes a browser shows or
speaks (``title``, ``placeholder``, ``aria-label``, ``alt``, a button's ``value``), never
scripts, styles, code or what members typed (titles, names, posts, reasons), which stays in
the language it was written in.
"""
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    Announcement,
    Board,
    CannedResponse,
    Category,
    Conversation,
    Event,
    Group,
    Message,
    ModAction,
    OutboxMessage,
    Poll,
    PollOption,
    Post,
    Sanction,
    Thread,
    User,
    utcnow,
)
from forum.services import notifications
from forum.services.content import posting
from forum.services.moderation import modnotes, reports, sanctions
from tests import factories
from tests.blueprints import test_authorization_matrix as matrix
from tests.services import event_kit

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are English and never German (nor a loanword German pages use). Short, common,
# and what a forgotten text would almost surely contain.
TELLTALES = _words("""
    the and or of to for with from your you this that these those is are were has have
    not no nobody none yet by at on into than then when where which who what why how
    post posts thread threads board boards reply replies report reports member members
    moderators settings save cancel delete edit search sign log login logout
    ago yesterday today tomorrow minutes hour hours day days week weeks month months
    year years second seconds just now back next previous page pages more less show hide
    new old open closed locked pinned hidden deleted warning warnings timeout ban banned
    suspended reason january february march april june july october december
    monday tuesday wednesday thursday friday saturday sunday
    mar may oct dec
""")
# And what an English page must not show: German words no English text uses.
GERMAN_TELLTALES = _words("""
    und oder der die das den dem des ein eine einen einer nicht mit für von zu ist sind wird
    wurde hat haben du dein deine dich dir noch schon bitte
    beitrag beiträge thema themen bereich bereiche antwort antworten meldung meldungen
    mitglied mitglieder einstellungen speichern abbrechen löschen bearbeiten suchen suche
    anmelden abmelden gestern heute morgen minuten stunden tagen seite weiter zurück neu
    zeitsperre sperre verwarnung grund ankündigung veranstaltung gruppe einladung
    januar februar märz mai juni juli oktober dezember okt dez
    montag dienstag mittwoch donnerstag freitag samstag sonntag
""")
WORD = re.compile(r"[A-Za-zÄÖÜäöüß']+")


_VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_HIDDEN_ELEMENTS = {"script", "style", "code", "pre", "textarea", "template", "svg"}


class _Visible(HTMLParser):
    """The text a reader sees or hears on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._zone = False

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN_ELEMENTS:
            self._hidden += 1
        if self._hidden:
            return
        attributes = dict(attrs)
        for name in _VISIBLE_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "option" and "/" in (attributes.get("value") or ""):
            self._zone = True  # a time zone's name is its identifier, in every language
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "option":
            self._zone = False
        if tag in _HIDDEN_ELEMENTS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and not self._zone:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def _written_by_people() -> list[str]:
    """Everything members and staff typed that a page may show, longest first, so a title
    containing another is taken out whole."""
    texts: set[str] = set()
    for column in (Board.title, Board.description, Board.slug, Category.title, Thread.title,
                   Post.body, User.username, User.display_name, User.bio, Group.name,
                   CannedResponse.title, CannedResponse.body, Announcement.title,
                   Announcement.body, Event.title, Event.description, Event.location,
                   Sanction.reason, ModAction.reason,
                   # A mail's subject is in its recipient's language, its error the server's.
                   OutboxMessage.subject, OutboxMessage.last_error,
                   Conversation.subject, Message.body, Poll.question, PollOption.label):
        texts.update(value for value in db.session.scalars(select(column)) if value)
    return sorted(texts, key=len, reverse=True)


def english_words(html: str) -> list[str]:
    return foreign_words(html, TELLTALES)


def foreign_words(html: str, telltales: frozenset[str]) -> list[str]:
    text = visible_text(html)
    for written in _written_by_people():
        text = text.replace(written, " ")
    # Placeholders a template fills ({username}) and the name a removed account is given.
    text = re.sub(r"\{\w+\}|deleted-\d+", " ", text)
    found = []
    for word in WORD.findall(text):
        lowered = word.lower().strip("'")
        if lowered in telltales:
            found.append(word)
    return found


def _context(html: str, word: str) -> str:
    text = " ".join(visible_text(html).split())
    at = re.search(rf"\b{re.escape(word)}\b", text)
    return text[max(0, at.start() - 60): at.end() + 60] if at else ""


def assert_german(response, where: str) -> None:
    _assert_none_of(response, where, TELLTALES, "English")


def assert_english(response, where: str) -> None:
    _assert_none_of(response, where, GERMAN_TELLTALES, "German")


def _assert_none_of(response, where: str, telltales: frozenset[str], language: str) -> None:
    if response.mimetype != "text/html":  # exports are for programs, with English keys
        return
    html = response.get_data(as_text=True)
    leftovers = sorted(set(foreign_words(html, telltales)))
    assert not leftovers, f"{where}: {language} words " + " | ".join(
        f"{word}: …{_context(html, word)}…" for word in leftovers)


# -- the check itself --------------------------------------------------------------------------

def test_the_check_finds_english_and_spares_what_people_wrote(app):
    factories.make_board(title="The best board")
    assert english_words("<p>Antworten</p><p>The best board</p>") == []
    assert english_words("<p>Reply to this post</p>") == ["Reply", "to", "this", "post"]
    assert english_words('<button aria-label="Close">x</button>') == []
    assert english_words('<a title="Show more">…</a>') == ["Show", "more"]
    assert english_words("<script>var the = 1</script><code>post</code>") == []
    assert english_words("<p>vor 3 Minuten, 4. Dez. 2026</p><p>3 minutes ago</p>") == [
        "minutes", "ago"]
    assert foreign_words("<p>Reply</p><p>Antworten</p>", GERMAN_TELLTALES) == ["Antworten"]


# -- every page ---------------------------------------------------------------------------------

@pytest.fixture
def world(app):
    """The authorization matrix's world, with more on the pages: a notification, an
    announcement and an event, so their texts are read too."""
    here = factories.make_board(title="Hier")
    elsewhere = factories.make_board(title="Anderswo")
    author = factories.make_user(username="autorin")
    thread = factories.make_thread(here, author=factories.make_user(), title="Uhren")
    post = factories.make_post(thread, author=author, body="Billige Uhren kaufen")
    item = reports.file_report(factories.make_user(), post, "spam").item
    issuer = factories.make_user(username="chefin", role="admin")
    sanction = sanctions.timeout(issuer, author, "Werbung", timedelta(hours=6))
    canned = modnotes.create_canned(issuer, "Sei freundlich", "Hallo {username}")
    world = matrix.World(here=here, elsewhere=elsewhere, author=author, item=item,
                         sanction=sanction, canned=canned, thread=thread, post=post)
    now = utcnow()
    event_kit.make_event(board=world.here, start=now + timedelta(days=3), now=now,
                         capacity="2")
    notifications.notify(world.author, "reply", "post.reply",
                         {"name": "chefin", "title": "Uhren"}, link="/")
    db.session.commit()
    return world


def _german_viewer(role: str, world) -> User:
    viewer = matrix._viewer(role, world)
    viewer.language = "de"
    db.session.commit()
    return viewer


def _matrix_pages():
    for table in (matrix.MATRIX, matrix.SITE_MATRIX, matrix.ACCOUNT_ROUTES, matrix.DESK_MATRIX,
                  matrix.KEEPUP_MATRIX, matrix.POLLS_MATRIX, matrix.ENGAGEMENT_MATRIX):
        for key, case in sorted(table.items()):
            if case.method == "GET":
                yield pytest.param(case, id=key)


@pytest.mark.parametrize("case", list(_matrix_pages()))
def test_every_matrix_page_in_german(client, login, world, case):
    world.viewer = _german_viewer("admin", world)
    if case.setup is not None:
        case.setup(world)
    login(world.viewer)
    db.session.expire_all()
    url = case.url(world)
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    assert_german(response, url)


@pytest.mark.parametrize("case", list(_matrix_pages()))
def test_every_matrix_page_in_english(client, login, world, case):
    world.viewer = matrix._viewer("admin", world)
    if case.setup is not None:
        case.setup(world)
    login(world.viewer)
    db.session.expire_all()
    url = case.url(world)
    response = client.get(url, headers={"Accept-Language": "en-GB,en;q=0.9"},
                          follow_redirects=True)
    assert response.status_code == 200, url
    assert_english(response, url)


def _member_pages(world) -> list[str]:
    thread = world.thread
    return [
        "/", f"/b/{world.here.slug}", f"/t/{thread.id}", f"/u/{world.author.username}",
        "/members", "/members?q=zzzz", "/search", f"/search?q={thread.title}", "/search?q=zzzz",
        "/events", "/rules", "/privacy", "/team",
    ]


def test_public_pages_in_german(client, world):
    for path in [*_member_pages(world), "/login", "/register", "/t/999999", "/u/nobody",
                 "/api/v1/docs"]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code in (200, 404), path
        assert_german(response, path)


def test_member_pages_in_german(client, login, world):
    viewer = _german_viewer("member", world)
    own = posting.reply(viewer, world.thread, "Meine Antwort.")
    event = db.session.scalar(select(Event))
    login(viewer)
    for path in [*_member_pages(world), "/notifications", "/account/profile",
                 "/account/password", "/account/tokens", f"/b/{world.here.slug}/new",
                 f"/t/{world.thread.id}/reply", f"/t/{world.thread.id}/reply?quote={own.id}",
                 f"/p/{own.id}/edit", f"/p/{own.id}/delete", f"/p/{own.id}/history",
                 f"/report/post/{world.post.id}", f"/report/user/{world.author.id}",
                 f"/events/{event.id}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_german(response, path)


def test_the_authors_pages_in_german(client, login, world):
    """The member a moderator acted on: their notifications and their sanction notice."""
    world.author.language = "de"
    db.session.commit()
    login(world.author)
    for path in ["/", "/notifications", f"/t/{world.thread.id}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_german(response, path)


@pytest.mark.parametrize("language", ["de", "en"])
def test_poll_pages_in_both_languages(client, login, world, language):
    """A thread's poll (multiple choice, public, closing later, results after voting) before
    and after voting, closed, and its voters: every word of the box in the reader's
    language."""
    from forum.services.community.polls import making, specs, voting

    poll = making.add_poll(world.thread.author, world.thread, specs.PollSpec(
        question="Welche Uhr?", options=("Stahl", "Gold", "Titan"), max_choices=2,
        results_shown="voted", is_public=True, closes_at=utcnow() + timedelta(days=2)))
    check = assert_german if language == "de" else assert_english
    viewer = _german_viewer("member", world) if language == "de" else matrix._viewer(
        "member", world)
    login(viewer)
    thread_url = f"/t/{world.thread.id}"
    check(client.get(thread_url), thread_url)
    voting.vote(viewer, poll, [poll.options[0].id, poll.options[2].id])
    check(client.get(thread_url), thread_url)
    check(client.get(f"/polls/{poll.id}/voters"), "voters")
    check(client.post(f"/polls/{poll.id}/voters"), "a wrong method")
    making.close_poll(world.thread.author, poll)
    check(client.get(thread_url), thread_url)
    refused = client.post(f"/polls/{poll.id}/vote", data={"choice": str(poll.options[1].id)})
    assert refused.status_code == 403
    check(refused, "a vote on a closed poll")


def test_member_pages_in_english(client, login, world):
    viewer = matrix._viewer("member", world)
    own = posting.reply(viewer, world.thread, "Meine Antwort.")
    login(viewer)
    for path in [*_member_pages(world), "/notifications", "/account/profile",
                 f"/t/{world.thread.id}/reply?quote={own.id}", f"/p/{own.id}/edit",
                 f"/report/post/{world.post.id}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_english(response, path)


def test_guest_pages_in_english(client, world):
    for path in [*_member_pages(world), "/login", "/register", "/t/999999"]:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert_english(response, path)


def test_conversation_pages_in_german(client, login, world):
    """Both sides of a conversation, the moderator's view of a reported message, blocking."""
    from forum.models import ReportItem
    from forum.services import blocks
    from forum.services.conversations import writing

    viewer = _german_viewer("member", world)
    viewer.created_at, viewer.post_count = factories.ESTABLISHED.values()
    db.session.commit()
    partner = factories.make_established_user("partnerin")
    conversation = writing.start(partner, viewer.username, "Bohrmaschine", "Noch zu haben?")
    rude = writing.reply(partner, conversation, "Frechheit")
    team = writing.start_for_team(factories.make_user(role="moderator"), viewer, "Hallo",
                                  "Kurz reden?")
    blocks.block(viewer, world.author, collapse_posts=True)
    login(viewer)
    for path in ["/messages", "/messages/new", f"/messages/new?to={partner.username}",
                 f"/messages/{conversation.id}", f"/messages/{team.id}", "/account/blocked",
                 f"/report/message/{rude.id}", f"/u/{partner.username}",
                 f"/u/{world.author.username}", f"/t/{world.thread.id}", "/notifications"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_german(response, path)
    for path, data in [("/messages/new", {"recipients": "niemand", "subject": "",
                                          "body": ""}),
                       (f"/messages/{conversation.id}/reply", {"body": ""})]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert_german(response, path)
    reports.file_report(viewer, rude, "harassment")
    item = db.session.scalar(select(ReportItem).where(ReportItem.target_kind == "message"))
    moderator = _german_viewer("moderator", world)
    login(moderator)
    for path in ["/mod/reports", f"/mod/reports/{item.id}",
                 f"/mod/members/{partner.username}/message?item={item.id}",
                 f"/mod/members/{partner.username}", "/mod/log"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_german(response, path)
    # The message removed: the closed item, the log, and both participants' pages.
    response = client.post(f"/mod/reports/{item.id}/resolve",
                           data={"actions": ["hide_message"], "reason": ""})
    assert response.status_code == 400
    assert_german(response, "remove without a reason")
    response = client.post(f"/mod/reports/{item.id}/resolve",
                           data={"actions": ["hide_message"], "reason": "Drohung"})
    assert response.status_code == 302
    for path in [f"/mod/reports/{item.id}", "/mod/log"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_german(response, path)
    for member in (viewer, partner):
        member.language = "de"
        db.session.commit()
        login(member)
        for path in [f"/messages/{conversation.id}", "/messages", "/notifications"]:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "Diese Nachricht wurde von einem Moderator entfernt." in (
                response.get_data(as_text=True)) or path == "/notifications"
            assert_german(response, path)


def test_german_refusals_on_forms(client, login, world):
    viewer = _german_viewer("member", world)
    login(viewer)
    for path, data in [
        (f"/b/{world.here.slug}/new", {"title": "", "body": ""}),
        (f"/t/{world.thread.id}/reply", {"body": ""}),
        ("/account/password", {}),
        ("/account/profile", {"timezone": "Mars/Olympus", "language": "xx"}),
        (f"/report/post/{world.post.id}", {"reason": "nonsense"}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert_german(response, path)


def test_mail_pages_in_german(client, login, world):
    """Asking for a reset link, confirming an address, unsubscribing, and the reminder an
    unconfirmed member sees on every page."""
    from forum.services.accounts import email_confirmation
    from forum.services.mail import unsubscribe

    viewer = _german_viewer("member", world)
    viewer.email_confirmed_at = None
    db.session.commit()
    pages = ["/login/forgot", f"/mail/unsubscribe/{unsubscribe.make_token(viewer)}",
             "/mail/unsubscribe/nonsense", "/account/confirm/nonsense"]
    for path in pages:
        response = client.get(path, headers=GERMAN)
        assert response.status_code in (200, 404), path
        assert_german(response, path)
    sent = client.post("/login/forgot", data={"email": "x@example.com"}, headers=GERMAN)
    assert_german(sent, "/login/forgot (sent)")
    link = email_confirmation._link(viewer, viewer.email, None).removeprefix("http://localhost")
    login(viewer)
    for path in ["/", "/account/email", link]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_german(response, path)
    assert "E-Mail-Adresse" in client.get("/").get_data(as_text=True)
