"""The demo's moderation week: a spammer and a hothead arrive, members report them, and the
moderators work through the queue, so the team's pages have something real to show.

Everything goes through the ordinary services (reports, claims, resolutions, sanctions,
notes, canned responses), dated in the last days before "now" and never after it. It runs
once, inside ``seed()``, after the threads exist and before members' last-seen times are
settled.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Board,
    ItemStatus,
    ModeratorNote,
    Post,
    ReportItem,
    Sanction,
    Thread,
    User,
)
from ...services.content import posting
from ...services.moderation import modnotes, reports, sanctions
from ...services.moderation.resolution import Action, ActionKind, dismiss, resolve
from .script import Person


def _text(value: str) -> str:
    return textwrap.dedent(value).strip()


def _plain(value: str) -> str:
    """Plain text (canned responses aren't Markdown): source line breaks inside a paragraph
    would show as breaks mid-sentence, so each paragraph becomes one line."""
    return "\n\n".join(" ".join(paragraph.split())
                        for paragraph in _text(value).split("\n\n"))


# Two accounts the threads know nothing about: they only appear in this week.
NEWCOMERS = (
    Person(
        "sparky_dan", "Dan Price",
        "Printer tinkerer with strong opinions about extruders. Runs a Voron and a Bambu "
        "side by side.",
        "Cardiff, UK", "Europe/London", 25, chattiness=0,
    ),
    Person(
        "filament_deals", "FilamentDeals Store",
        "Best filament prices online! Bulk PLA, PETG and ASA with worldwide shipping. "
        "Message us for a discount code.",
        "Online", "UTC", 2, website="https://filament-deals.example.com", chattiness=0,
    ),
)

CANNED = (
    ("Please stay on topic", """
        Hi {username}, please keep replies in “{thread}” on its topic. If you'd like to talk
        about something else, start a new thread: it helps the next person with the same
        question find the answer.
        """),
    ("Be kind", """
        Hi {username}, strong opinions about tools are welcome here; remarks about the people
        holding them are not (rule 1 of the community guidelines). Please argue with the
        point, not the person.
        """),
    ("Spam removed", """
        Hi {username}, we removed your post because it advertises a shop. Sharing your own
        project is fine in context (rule 4), but adverts aren't, and trading belongs in
        Swap & sell as an ordinary listing.
        """),
    ("Cooling-off timeout", """
        Hi {username}, you're timed out for a few days after repeated personal remarks. You
        can still read everything. When you're back, please keep it technical.
        """),
)

RUDE_PROXY = _text("""
    Anyone still hand-writing nginx configs in 2024 enjoys suffering. If you can't get
    Traefik's labels right, the problem is you, not Traefik. Can we stop asking this every
    single month?
    """)
RUDE_I2C = _text("""
    Pull-ups. It's always pull-ups. Anyone who needs five replies to find that out shouldn't
    be let near a soldering iron.
    """)
SPAM_REPLY = _text("""
    Stringing? Our premium PETG never strings! **40% off bulk spools this week only**, use
    code AGORA40 at filament-deals.example.com. Worldwide shipping!
    """)
SPAM_TITLE = "[FS] Bulk PLA and PETG, 40% off, worldwide shipping"
SPAM_THREAD = _text("""
    Huge filament sale! PLA, PETG and ASA from 9.99 a spool, bulk discounts from 10 spools.
    Order at filament-deals.example.com or message us on WhatsApp for a discount code.
    """)
SPAM_ANSWER = _text("""
    Reported. Swap & sell is for members trading their own gear, not for shops.
    """)


@dataclass(frozen=True)
class ModerationSummary:
    active: int
    closed: int
    sanctions: int
    notes: int


class _Story:
    """The week's clock. Events happen in the order they are written, each at its intended
    time ("so many hours ago") unless something it must follow came later, and never in the
    last minute before now. A post also follows the latest post of its board and thread, as
    the posting service expects: the newest write becomes the board's latest post."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.last = now - timedelta(minutes=1)
        self.cursor: datetime | None = None

    def at(self, hours_ago: float, after: datetime | None = None) -> datetime:
        moment = self.now - timedelta(hours=hours_ago)
        for floor in (self.cursor, after):
            if floor is not None:
                moment = max(moment, floor)
        self.cursor = min(moment, self.last)
        return self.cursor

    def reply(self, author: User, title: str, body: str, hours_ago: float) -> Post:
        thread = _thread(title)
        return posting.reply(author, thread, body,
                             now=self.at(hours_ago, _after_latest(thread.board, thread)))

    def new_thread(self, author: User, board: Board, title: str, body: str,
                   hours_ago: float) -> Thread:
        return posting.create_thread(author, board, title, body,
                                     now=self.at(hours_ago, _after_latest(board)))

    def report(self, reporter: User, target, reason: str, hours_ago: float,
               note: str | None = None) -> ReportItem:
        report = reports.file_report(reporter, target, reason, note, now=self.at(hours_ago))
        return db.session.get(ReportItem, report.item_id)


def _thread(title: str) -> Thread:
    return db.session.scalar(select(Thread).where(Thread.title == title))


def _after_latest(board: Board, thread: Thread | None = None) -> datetime | None:
    moments = [board.last_post.created_at if board.last_post_id else None,
               thread.last_post_at if thread is not None else None]
    latest = max(filter(None, moments), default=None)
    return latest + timedelta(minutes=10) if latest is not None else None


def play(users: dict[str, User], boards: dict[str, Board], now: datetime) -> ModerationSummary:
    """Write the week. ``users`` holds the demo's people and the newcomers by username,
    ``boards`` the boards by slug."""
    story = _Story(now)
    mod, admin, printfarm = users["mod"], users["admin"], users["printfarm"]
    dan, shop = users["sparky_dan"], users["filament_deals"]
    canned = {
        title: modnotes.create_canned(admin, title, _plain(body), now=story.at(240))
        for title, body in CANNED
    }

    # Last month's removed remark: context for the team, no sanction (he apologised).
    modnotes.add_note(mod, users["okapi"], (
        "Removed a personal remark of his in the OPNsense/pfSense thread last month; he "
        "apologised in the thread straight away. No sanction, just context if anything "
        "else comes up."), now=story.at(200))

    # The hothead, first time: reported, hidden, warned.
    first = story.reply(dan, "Reverse proxy: Caddy, Traefik or nginx?", RUDE_PROXY, 120)
    story.report(users["gus"], first, "harassment", 119)
    item = story.report(users["nyx"], first, "harassment", 118.5,
                        "Calling people the problem isn't an argument.")
    resolve(mod, item, [
        Action(ActionKind.HIDE_POST, "Personal remark about other members."),
        Action(ActionKind.WARN, "Personal remarks in “Reverse proxy: Caddy, Traefik or nginx?”",
               message=modnotes.fill_for(canned["Be kind"], dan, first.thread)),
    ], now=story.at(116))
    modnotes.add_note(mod, dan, (
        "Warned after the reverse proxy remark. Knows his stuff; the tone is the problem. If "
        "it happens again, a short timeout rather than another warning."), now=story.at(115.8))

    # A report that needed no action: comparing the two is what the thread asked for.
    opnsense = _thread("OPNsense or pfSense for a first firewall?")
    quiet_post = db.session.scalar(
        select(Post).where(Post.thread_id == opnsense.id,
                           Post.author_id == users["quietfan"].id).order_by(Post.position)
    )
    item = story.report(users["ziggy"], quiet_post, "off_topic", 70,
                        "Isn't this thread about OPNsense?")
    dismiss(mod, item, "On topic: the thread asks for a comparison of the two.",
            now=story.at(68))

    # The hothead again, days after the warning: hidden, then timed out from his record.
    second = story.reply(dan, "I2C sensor returns zeros after a few hours", RUDE_I2C, 30)
    story.report(users["beepboop"], second, "harassment", 29.5,
                 "Second time this week he's talked to people like this.")
    item = story.report(users["member"], second, "harassment", 29)
    resolve(mod, item, [Action(ActionKind.HIDE_POST, "Personal remark about the poster.")],
            now=story.at(28))
    sanctions.timeout(
        mod, dan, "Second personal attack in a week, after a warning.", timedelta(days=3),
        message=modnotes.fill_for(canned["Cooling-off timeout"], dan), now=story.at(27.9),
    )
    modnotes.add_note(mod, dan, (
        "Timed out for three days after the I2C reply. Next step would be a suspension; "
        "let's talk in the lounge before that."), now=story.at(27.8))

    # The spammer: still in the queue, one item claimed by the demo moderator.
    spam_thread = story.new_thread(shop, boards["swap-and-sell"], SPAM_TITLE, SPAM_THREAD, 20)
    posting.reply(users["rackjack"], spam_thread, SPAM_ANSWER, now=story.at(19.7))
    story.report(users["rackjack"], spam_thread, "spam", 19.2)
    item = story.report(users["hobbs"], spam_thread, "spam", 18.5)
    reports.claim(mod, item, now=story.at(6))

    spam = story.reply(shop, "PETG stringing no matter what I do", SPAM_REPLY, 3.5)
    story.report(users["tinkerbelle"], spam, "spam", 3)
    story.report(users["gus"], spam, "spam", 2.5)
    story.report(users["ziggy"], spam, "spam", 2, "Same shop as the Swap & sell thread.")
    story.report(users["kestrel"], shop, "spam", 1.5,
                 "New account; both of its posts are adverts for the same shop.")
    modnotes.add_note(printfarm, shop, (
        "The same shop posted in 3D printing last year under another name, I think. Leaving "
        "the ban to the global moderators."), now=story.at(1))
    return _summary()


def _summary() -> ModerationSummary:
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    closed = (ItemStatus.RESOLVED, ItemStatus.DISMISSED)
    return ModerationSummary(
        active=count(ReportItem, ReportItem.status.in_(ACTIVE_STATUSES)),
        closed=count(ReportItem, ReportItem.status.in_(closed)),
        sanctions=count(Sanction),
        notes=count(ModeratorNote),
    )
