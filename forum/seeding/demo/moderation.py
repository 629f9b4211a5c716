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
from ...services.moderation import macros, modnotes, reports, sanctions
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
class Filing:
    """One member's report: who, the reason's code (spam, harassment, off_topic…), a note."""

    by: str
    reason: str
    note: str | None = None


@dataclass(frozen=True)
class Week:
    """The week's cast and words in one language; ``play`` gives it its order and times.

    The hothead's two remarks go into existing threads (named by title), each reported by two
    members; the shop posts a thread and a reply. Canned responses are (title, body) pairs,
    ``be_kind`` and ``cooling_off`` naming the two the sanctions send.
    """

    newcomers: tuple[Person, ...]
    hothead: str
    shop: str
    canned: tuple[tuple[str, str], ...]
    be_kind: str
    cooling_off: str
    # The canned response that is also a macro: hide the post, warn the author, this reason.
    spam_macro: str
    spam_macro_reason: str
    # Last month's context note about a member who apologised.
    earlier_about: str
    earlier_note: str
    # The hothead's first remark: hidden and warned.
    first_thread: str
    first_body: str
    first_reports: tuple[Filing, Filing]
    first_hidden: str
    first_warning: str
    first_note: str
    # A report the moderator dismisses: the first post of ``dismissed_author`` in the thread.
    dismissed_thread: str
    dismissed_author: str
    dismissed_report: Filing
    dismissed_because: str
    # The second remark: hidden, then a timeout.
    second_thread: str
    second_body: str
    second_reports: tuple[Filing, Filing]
    second_hidden: str
    timeout_reason: str
    second_note: str
    # The shop: a thread in ``spam_board`` answered and reported, a reply reported, the account
    # reported, and a note by the board's own moderator.
    spam_board: str
    spam_title: str
    spam_body: str
    spam_answer: str
    spam_thread_reports: tuple[Filing, Filing]
    spam_reply_thread: str
    spam_reply: str
    spam_reply_reports: tuple[Filing, Filing, Filing]
    shop_report: Filing
    board_moderator: str
    board_moderator_note: str


ENGLISH = Week(
    newcomers=NEWCOMERS,
    hothead="sparky_dan",
    shop="filament_deals",
    canned=CANNED,
    be_kind="Be kind",
    cooling_off="Cooling-off timeout",
    spam_macro="Spam removed",
    spam_macro_reason="Spam",
    earlier_about="okapi",
    earlier_note=(
        "Removed a personal remark of his in the OPNsense/pfSense thread last month; he "
        "apologised in the thread straight away. No sanction, just context if anything "
        "else comes up."),
    first_thread="Reverse proxy: Caddy, Traefik or nginx?",
    first_body=RUDE_PROXY,
    first_reports=(Filing("gus", "harassment"),
                   Filing("nyx", "harassment", "Calling people the problem isn't an argument.")),
    first_hidden="Personal remark about other members.",
    first_warning="Personal remarks in “Reverse proxy: Caddy, Traefik or nginx?”",
    first_note=(
        "Warned after the reverse proxy remark. Knows his stuff; the tone is the problem. If "
        "it happens again, a short timeout rather than another warning."),
    dismissed_thread="OPNsense or pfSense for a first firewall?",
    dismissed_author="quietfan",
    dismissed_report=Filing("ziggy", "off_topic", "Isn't this thread about OPNsense?"),
    dismissed_because="On topic: the thread asks for a comparison of the two.",
    second_thread="I2C sensor returns zeros after a few hours",
    second_body=RUDE_I2C,
    second_reports=(Filing("beepboop", "harassment",
                           "Second time this week he's talked to people like this."),
                    Filing("member", "harassment")),
    second_hidden="Personal remark about the poster.",
    timeout_reason="Second personal attack in a week, after a warning.",
    second_note=(
        "Timed out for three days after the I2C reply. Next step would be a suspension; "
        "let's talk in the lounge before that."),
    spam_board="swap-and-sell",
    spam_title=SPAM_TITLE,
    spam_body=SPAM_THREAD,
    spam_answer=SPAM_ANSWER,
    spam_thread_reports=(Filing("rackjack", "spam"), Filing("hobbs", "spam")),
    spam_reply_thread="PETG stringing no matter what I do",
    spam_reply=SPAM_REPLY,
    spam_reply_reports=(Filing("tinkerbelle", "spam"), Filing("gus", "spam"),
                        Filing("ziggy", "spam", "Same shop as the Swap & sell thread.")),
    shop_report=Filing("kestrel", "spam",
                       "New account; both of its posts are adverts for the same shop."),
    board_moderator="printfarm",
    board_moderator_note=(
        "The same shop posted in 3D printing last year under another name, I think. Leaving "
        "the ban to the global moderators."),
)


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


def play(users: dict[str, User], boards: dict[str, Board], now: datetime,
         week: Week = ENGLISH) -> ModerationSummary:
    """Write the week. ``users`` holds the demo's people and the newcomers by username,
    ``boards`` the boards by slug."""
    story = _Story(now)
    mod, admin = users["mod"], users["admin"]
    dan, shop = users[week.hothead], users[week.shop]
    spam_preset = macros.Preset(actions=(ActionKind.HIDE_POST.value,),
                                sanction=ActionKind.WARN.value, reason=week.spam_macro_reason)
    canned = {
        title: modnotes.create_canned(admin, title, _plain(body), now=story.at(240),
                                      preset=spam_preset if title == week.spam_macro else None)
        for title, body in week.canned
    }

    # Last month's removed remark: context for the team, no sanction (he apologised).
    modnotes.add_note(mod, users[week.earlier_about], week.earlier_note, now=story.at(200))

    # The hothead, first time: reported, hidden, warned.
    first = story.reply(dan, week.first_thread, week.first_body, 120)
    one, two = week.first_reports
    story.report(users[one.by], first, one.reason, 119, one.note)
    item = story.report(users[two.by], first, two.reason, 118.5, two.note)
    resolve(mod, item, [
        Action(ActionKind.HIDE_POST, week.first_hidden),
        Action(ActionKind.WARN, week.first_warning,
               message=modnotes.fill_for(canned[week.be_kind], dan, first.thread)),
    ], now=story.at(116))
    modnotes.add_note(mod, dan, week.first_note, now=story.at(115.8))

    # A report that needed no action: the post was what the thread asked for.
    discussed = _thread(week.dismissed_thread)
    quiet_post = db.session.scalar(
        select(Post).where(Post.thread_id == discussed.id,
                           Post.author_id == users[week.dismissed_author].id)
        .order_by(Post.position)
    )
    filing = week.dismissed_report
    item = story.report(users[filing.by], quiet_post, filing.reason, 70, filing.note)
    dismiss(mod, item, week.dismissed_because, now=story.at(68))

    # The hothead again, days after the warning: hidden, then timed out from his record.
    second = story.reply(dan, week.second_thread, week.second_body, 30)
    one, two = week.second_reports
    story.report(users[one.by], second, one.reason, 29.5, one.note)
    item = story.report(users[two.by], second, two.reason, 29, two.note)
    resolve(mod, item, [Action(ActionKind.HIDE_POST, week.second_hidden)], now=story.at(28))
    sanctions.timeout(
        mod, dan, week.timeout_reason, timedelta(days=3),
        message=modnotes.fill_for(canned[week.cooling_off], dan), now=story.at(27.9),
    )
    modnotes.add_note(mod, dan, week.second_note, now=story.at(27.8))

    # The spammer: still in the queue, one item claimed by the demo moderator.
    spam_thread = story.new_thread(shop, boards[week.spam_board], week.spam_title,
                                   week.spam_body, 20)
    one, two = week.spam_thread_reports
    posting.reply(users[one.by], spam_thread, week.spam_answer, now=story.at(19.7))
    story.report(users[one.by], spam_thread, one.reason, 19.2, one.note)
    item = story.report(users[two.by], spam_thread, two.reason, 18.5, two.note)
    reports.claim(mod, item, now=story.at(6))

    spam = story.reply(shop, week.spam_reply_thread, week.spam_reply, 3.5)
    for filing, hours_ago in zip(week.spam_reply_reports, (3, 2.5, 2), strict=True):
        story.report(users[filing.by], spam, filing.reason, hours_ago, filing.note)
    filing = week.shop_report
    story.report(users[filing.by], shop, filing.reason, 1.5, filing.note)
    modnotes.add_note(users[week.board_moderator], shop, week.board_moderator_note,
                      now=story.at(1))
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
