"""Notifications stored as a key and parameters, worded in the reader's language when shown.

Rows written before keep their English text; the ones whose sentence is recognised get the
key and parameters it was written from, so they read in German too. The English stays, so
the downgrade loses nothing. The sentences are copied here rather than imported: this step
must keep reading the rows it was written for whatever the forum's code says later.

Revision ID: b7d3e5f1a2c4
Revises: b7d3e9a1c5f2
Create Date: 2026-12-07 06:00:00.000000

"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d3e5f1a2c4"
down_revision = "b7d3e9a1c5f2"
branch_labels = None
depends_on = None

BATCH = 500

# How the forum wrote a moment ("25 Nov 2026, 14:00") and a length ("2 h 5 min").
_MOMENT = r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}"
_MONTHS = {name: number for number, name in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
_LENGTH = r"\d+ (?:days?|h|min|s)(?: \d+ (?:h|min|s))?"
_UNITS = {"s": 1, "min": 60, "h": 3600, "day": 86400, "days": 86400}


def _iso(text: str, zone: str = "UTC") -> str:
    """A moment written in ``zone`` as ISO 8601 in UTC. ValueError when it isn't one."""
    day, month, year, clock = text.replace(",", "").split(" ")
    hour, minute = clock.split(":")
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(zone) from None
    local = datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), tzinfo=tz)
    return local.astimezone(UTC).isoformat()


def _seconds(text: str) -> int:
    words = text.split(" ")
    return sum(int(words[i]) * _UNITS[words[i + 1]] for i in range(0, len(words), 2))


def _moment_at(name: str):
    """A converter for a moment written in UTC with " UTC" after it."""
    return lambda groups: {name: _iso(groups.pop(name))}


def _zoned(groups: dict) -> dict:
    return {"starts_at": _iso(groups.pop("starts_at"), groups.pop("zone"))}


# (kind, key, the English sentence, a converter of odd parameters). Most specific first where
# one sentence could also match a looser one.
_T = r"“(?P<title>.*)”"
SENTENCES = [
    ("reply", "post.reply", rf"(?P<name>.+) replied to {_T}", None),
    ("quote", "post.quote", rf"(?P<name>.+) quoted you in {_T}", None),
    ("moderation", "post.hidden", rf"A moderator hid your post in {_T}\.", None),
    ("moderation", "post.restored", rf"A moderator restored your post in {_T}\.", None),
    ("moderation", "post.edited", rf"A moderator edited your post in {_T}\.", None),
    ("moderation", "post.deleted", rf"A moderator deleted your post in {_T}\.", None),
    ("moderation", "post.auto_hidden",
     rf"Your post in {_T} is hidden until a moderator reviews it\.", None),
    ("report_outcome", "report.thread.dismissed",
     rf"Thanks for your report about the thread {_T}\. A moderator reviewed it and found that "
     r"no action was needed\.", None),
    ("report_outcome", "report.thread.actioned",
     rf"Thanks for your report about the thread {_T}\. A moderator reviewed it and took "
     r"action\.", None),
    ("report_outcome", "report.post.dismissed",
     rf"Thanks for your report about a post in {_T}\. A moderator reviewed it and found that "
     r"no action was needed\.", None),
    ("report_outcome", "report.post.actioned",
     rf"Thanks for your report about a post in {_T}\. A moderator reviewed it and took "
     r"action\.", None),
    ("report_outcome", "report.user.dismissed",
     r"Thanks for your report about @(?P<username>\S+)\. A moderator reviewed it and found "
     r"that no action was needed\.", None),
    ("report_outcome", "report.user.actioned",
     r"Thanks for your report about @(?P<username>\S+)\. A moderator reviewed it and took "
     r"action\.", None),
    ("sanction", "sanction.warning", r"You received a warning from the moderators\.", None),
    ("sanction", "sanction.timeout",
     rf"You are timed out: you can read but not post until (?P<ends_at>{_MOMENT}) UTC\.",
     _moment_at("ends_at")),
    ("sanction", "sanction.ban", r"Your account is banned\.", None),
    ("sanction", "sanction.ban_until",
     rf"Your account is banned until (?P<ends_at>{_MOMENT}) UTC\.", _moment_at("ends_at")),
    ("sanction", "sanction.suspension",
     rf"Your account is suspended until (?P<ends_at>{_MOMENT}) UTC\.", _moment_at("ends_at")),
    ("sanction", "sanction.timeout_lifted", r"Your timeout was lifted early\.", None),
    ("sanction", "sanction.suspension_lifted", r"Your suspension was lifted early\.", None),
    ("sanction", "sanction.ban_lifted", r"Your ban was lifted early\.", None),
    ("moderation", "thread.lock_scheduled",
     rf"Your thread {_T} will be locked at (?P<starts_at>{_MOMENT}) UTC\.",
     _moment_at("starts_at")),
    ("moderation", "thread.locked_for",
     rf"A moderator locked your thread {_T} for (?P<length>{_LENGTH})\.",
     lambda groups: {"length_seconds": _seconds(groups.pop("length"))}),
    ("moderation", "thread.locked", rf"A moderator locked your thread {_T}\.", None),
    ("moderation", "thread.unlocked", rf"A moderator unlocked your thread {_T}\.", None),
    ("moderation", "thread.renamed",
     r"A moderator renamed your thread “(?P<old>.*)” to “(?P<title>.*)”\.", None),
    ("moderation", "thread.restored", rf"A moderator restored your thread {_T}\.", None),
    ("moderation", "thread.slow_mode_until",
     rf"A moderator put your thread {_T} in slow mode: one post every (?P<interval>{_LENGTH}) "
     rf"until (?P<until_at>{_MOMENT}) UTC\.",
     lambda groups: {"interval_seconds": _seconds(groups.pop("interval")),
                     **_moment_at("until_at")(groups)}),
    ("moderation", "thread.slow_mode",
     rf"A moderator put your thread {_T} in slow mode: one post every "
     rf"(?P<interval>{_LENGTH})\.",
     lambda groups: {"interval_seconds": _seconds(groups.pop("interval"))}),
    ("moderation", "thread.slow_mode_off",
     rf"A moderator turned off slow mode in your thread {_T}\.", None),
    ("moderation", "thread.pinned_everywhere_until",
     rf"A moderator pinned your thread {_T} above every board until "
     rf"(?P<until_at>{_MOMENT}) UTC\.", _moment_at("until_at")),
    ("moderation", "thread.pinned_everywhere",
     rf"A moderator pinned your thread {_T} above every board\.", None),
    ("moderation", "thread.pinned_until",
     rf"A moderator pinned your thread {_T} until (?P<until_at>{_MOMENT}) UTC\.",
     _moment_at("until_at")),
    ("moderation", "thread.pinned", rf"A moderator pinned your thread {_T}\.", None),
    ("moderation", "thread.unpinned", rf"A moderator unpinned your thread {_T}\.", None),
    ("moderation", "thread.moved_unseen",
     rf"A moderator moved your thread {_T} to a board you can't open\.", None),
    ("moderation", "thread.moved", rf"A moderator moved your thread {_T} to (?P<board>.+)\.",
     None),
    ("moderation", "thread.merged_unseen",
     rf"A moderator merged your thread {_T} into a thread in a board you can't open\.", None),
    ("moderation", "thread.merged",
     rf"A moderator merged your thread {_T} into “(?P<into>.*)”\.", None),
    ("moderation", "thread.split_new_unseen",
     rf"A moderator split (?P<num>a post|\d+ posts) of your thread {_T} into a new thread in "
     r"a board you can't open\.", None),
    ("moderation", "thread.split_new",
     rf"A moderator split (?P<num>a post|\d+ posts) of your thread {_T} into a new thread, "
     r"“(?P<into>.*)”\.", None),
    ("moderation", "thread.split_into_unseen",
     rf"A moderator moved (?P<num>a post|\d+ posts) of your thread {_T} to a thread in a board "
     r"you can't open\.", None),
    ("moderation", "thread.split_into",
     rf"A moderator moved (?P<num>a post|\d+ posts) of your thread {_T} to “(?P<into>.*)”\.",
     None),
    ("group", "group.added", r"You were added to the group (?P<group>.+)\.", None),
    ("group", "group.removed", r"You were removed from the group (?P<group>.+)\.", None),
    ("role", "role.member", r"You are now a member\.", None),
    ("role", "role.moderator", r"You are now a moderator\.", None),
    ("role", "role.admin", r"You are now an administrator\.", None),
    ("role", "role.no_boards", r"You no longer moderate any boards\.", None),
    ("role", "role.boards", r"You now moderate (?P<boards>/b/\S+(?:, /b/\S+)*)\.",
     lambda groups: {"boards": [b[3:] for b in groups.pop("boards").split(", ")]}),
    ("account", "account.changed",
     r"An administrator changed your account's username or email\.", None),
    ("event", "event.rescheduled",
     rf"{_T} has a new time: (?P<starts_at>{_MOMENT}) \((?P<zone>[^()]+)\)", _zoned),
    ("event", "event.cancelled", rf"{_T} is cancelled", None),
    ("event", "event.place", rf"A place opened up: you're going to {_T}", None),
    ("event", "event.starting",
     rf"Starting soon: {_T} at (?P<starts_at>{_MOMENT}) \((?P<zone>[^()]+)\)", _zoned),
]
_COMPILED = [(kind, key, re.compile(pattern, re.S), convert)
             for kind, key, pattern, convert in SENTENCES]
_REASON = re.compile(r"Reason: (?P<reason>.+?)(?:\n\n(?P<message>.+))?", re.S)


def recognise(kind: str, text: str, body: str | None) -> tuple[str, dict] | None:
    """The key and parameters an English notification was written from, or None when its
    sentence isn't one the forum wrote (or it was cut short)."""
    for sentence_kind, key, pattern, convert in _COMPILED:
        if sentence_kind != kind:
            continue
        match = pattern.fullmatch(text or "")
        if match is None:
            continue
        params = {name: value for name, value in match.groupdict().items()}
        try:
            if convert is not None:
                params.update(convert(params))
        except (KeyError, ValueError):
            return None
        if "num" in params:
            params["num"] = 1 if params["num"] == "a post" else int(params["num"].split()[0])
        params.update(_body_params(key, body))
        return key, params
    return None


def _body_params(key: str, body: str | None) -> dict:
    """The reason (and a sanction's message) the longer text was made of; nothing when it
    isn't of that shape, and then the stored text goes on being shown."""
    if not body:
        return {}
    if key == "event.cancelled":
        return {"reason": body}
    match = _REASON.fullmatch(body)
    if match is None:
        return {}
    if match["message"] and not key.startswith("sanction."):
        # Only a sanction had a message under its reason: the blank line is the reason's own.
        return {"reason": body[len("Reason: "):]}
    return {name: value for name, value in match.groupdict().items() if value}


def upgrade():
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
    notifications = sa.table(
        "notifications", sa.column("id", sa.Integer), sa.column("kind", sa.String),
        sa.column("text", sa.String), sa.column("body", sa.Text),
        sa.column("key", sa.String), sa.column("params", sa.JSON),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(notifications.c.id, notifications.c.kind, notifications.c.text,
                      notifications.c.body)
            .where(notifications.c.id > last_id)
            .order_by(notifications.c.id).limit(BATCH)
        ).all()
        for row in rows:
            found = recognise(row.kind, row.text, row.body)
            if found is not None:
                connection.execute(
                    notifications.update().where(notifications.c.id == row.id)
                    .values(key=found[0], params=found[1])
                )
        if len(rows) < BATCH:
            break
        last_id = rows[-1].id


def downgrade():
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("key")
