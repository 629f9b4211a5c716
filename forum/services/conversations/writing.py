"""Starting conversations, answering, leaving, adding people: one transaction each.

Counters change in SQL within the write: a message first takes the conversation's row (its
count goes up), so ids come in the order messages are counted and two answers sent at once
both arrive; the participant limit is a condition on the count the same statement raises, so
two additions racing can't pass it; new conversations are counted against the hourly limit
in the starting transaction, like posts against their cooldowns.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, select, update

from ...common import markup
from ...common.numfmt import number
from ...database import commit, joined
from ...errors import Conflict, InvalidField, Refused, require
from ...extensions import db
from ...models import (
    Conversation,
    ConversationParticipant,
    Message,
    Notification,
    NotificationKind,
    ReportItem,
    User,
    utcnow,
)
from ...policy import Policy
from ...stores import ratelimit, settings
from .. import audit, blocks, notifications, text
from . import recipients

SUBJECT_MAX = 120
BODY_MAX = 20_000


@dataclass(frozen=True)
class Draft:
    """What a member typed to start a conversation."""

    subject: str
    body: str
    names: str = ""


def clean_subject(subject: str | None) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise InvalidField("subject", _("Please give the conversation a subject."))
    if len(subject) > SUBJECT_MAX:
        raise InvalidField("subject", _("A subject can be at most %(max)s characters.",
                                        max=number(SUBJECT_MAX)))
    return subject


def clean_body(body: str | None) -> str:
    body = text.multiline(body)
    if not body:
        raise InvalidField("body", _("Please write a message."))
    if len(body) > BODY_MAX:
        raise InvalidField("body", _("A message can be at most %(max)s characters.",
                                     max=number(BODY_MAX)))
    text.check_images(body)
    return body


def _rate_key(user: User) -> str:
    return f"conversation:start:{user.id}"


def _count_start(policy: Policy, now: datetime) -> str | None:
    """Count one new conversation against the hourly limit, in this transaction; the key
    taken, to give back if the start fails after all. Refuses (429)."""
    limit = settings.get("conversations_per_hour")
    if not limit or policy.is_global_moderator:
        return None
    key = _rate_key(policy.user)
    with joined():
        decision = ratelimit.hit(key, limit, 3600, now)
    if not decision:
        db.session.rollback()
        if not ratelimit.in_transaction():
            ratelimit.refund(key, now)
        raise Refused(_("You can start at most %(limit)s conversations an hour. You can start "
                        "another in a while; answering goes on as before.", limit=limit),
                      status=429, retry_after=decision.retry_after or 1)
    return key


def _max_participants() -> int:
    return settings.get("conversation_max_participants")


def start(actor: User, names: str, subject: str, body: str,
          now: datetime | None = None) -> Conversation:
    """Start a conversation with the members named (by username, separated by commas or
    spaces), with its first message; each of them is told (``MESSAGE``).

    Refuses: guests (login); a timed-out, suspended or banned member, a new member
    (``Policy.can_start_conversation``, 403); no subject or message, either too long, nobody
    named, a name nobody has, oneself, more people than ``conversation_max_participants``, a
    member who blocked the writer or can't log in (400, naming the field); more than
    ``conversations_per_hour`` new conversations in an hour (429).
    """
    now = now or utcnow()
    policy = Policy(actor, now)
    require(policy.can_start_conversation())
    subject = clean_subject(subject)
    body = clean_body(body)
    people = recipients.find(recipients.split_names(names))
    _check_size(len(people) + 1)
    recipients.check(actor, people, now, team=False)
    key = _count_start(policy, now)
    try:
        conversation = _open(actor, people, subject, body, now, team=False)
    except BaseException:
        db.session.rollback()
        if key is not None and not ratelimit.in_transaction():
            ratelimit.refund(key, now)
        raise
    commit()
    return conversation


def start_for_team(actor: User, member: User, subject: str, body: str,
                   now: datetime | None = None, *,
                   item: ReportItem | None = None) -> Conversation:
    """A moderator writes to a member for the team ("explain before you act"), from the
    member's record, the sanction form or a report (``item``, about the member). The
    conversation is marked as the team's: no block keeps it out, a timed-out member may
    answer it, and the member's answers reach every moderator in it. Logged as
    ``conversation.team_start`` (the fact, never the words), with the report when there is
    one.

    Refuses: anyone outside the team, a board moderator writing to someone who hasn't posted
    in their boards or to a moderator, oneself, a deleted account
    (``Policy.can_start_team_conversation``, 403); a report the writer may not handle (403)
    or about someone else (400); no
    subject or message, either too long (400).
    """
    now = now or utcnow()
    policy = Policy(actor, now)
    board = None
    if item is not None:
        require(policy.can_handle_report(item))
        if item.subject_id != member.id:
            raise Refused(_("That report is about someone else."), status=400)
        # A report in a board the writer moderates says the member posted there.
        board = item.thread.board if item.thread is not None else None
    require(policy.can_start_team_conversation(member, board))
    subject = clean_subject(subject)
    body = clean_body(body)
    conversation = _open(actor, [member], subject, body, now, team=True)
    audit.record(actor, "conversation.team_start", member, now=now, item=item)
    commit()
    return conversation


def _check_size(count: int) -> None:
    limit = _max_participants()
    if count > limit:
        raise InvalidField(recipients.FIELD, _(
            "A conversation can have at most %(max)s people, you included.", max=limit))


def _open(actor: User, people: list[User], subject: str, body: str, now: datetime, *,
          team: bool) -> Conversation:
    conversation = Conversation(subject=subject, starter_id=actor.id, is_team=team,
                                created_at=now, participant_count=len(people) + 1,
                                message_count=1, last_message_id=0, last_message_at=now)
    db.session.add(conversation)
    db.session.flush()
    message = Message(conversation_id=conversation.id, author_id=actor.id, body=body,
                      body_html=markup.render(body), created_at=now)
    db.session.add(message)
    db.session.flush()
    conversation.last_message_id = message.id
    db.session.add(ConversationParticipant(
        conversation_id=conversation.id, user_id=actor.id, joined_at=now,
        last_read_message_id=message.id, as_team=team))
    for person in people:
        db.session.add(ConversationParticipant(
            conversation_id=conversation.id, user_id=person.id, joined_at=now,
            last_read_message_id=0, as_team=False))
        key = "conversation.team" if team else "conversation.started"
        notifications.notify(person, NotificationKind.MESSAGE, key,
                             {"name": actor.name, "subject": subject}, conversation.url,
                             actor=actor, now=now)
    return conversation


def _participant(conversation: Conversation, user: User) -> ConversationParticipant | None:
    return db.session.get(ConversationParticipant, (conversation.id, user.id))


def reply(actor: User, conversation: Conversation, body: str,
          now: datetime | None = None) -> Message:
    """Answer in a conversation. The others who had read everything before hear of it
    (``MESSAGE``; one notification until they read again), except anyone who blocked the
    writer, unless the team writes.

    Refuses: not a participant, or one who left (403); suspended or banned, or timed out
    outside a team conversation (403); an empty or too long message (400).
    """
    now = now or utcnow()
    policy = Policy(actor, now)
    participant = _participant(conversation, actor)
    require(policy.can_write_in(conversation, participant))
    body = clean_body(body)
    # The conversation's row first: answers sent at once take turns here, so each gets the
    # next id and the count and the latest message stay right.
    before = db.session.execute(
        update(Conversation).where(Conversation.id == conversation.id)
        .values(message_count=Conversation.message_count + 1)
        .returning(Conversation.last_message_id)
        .execution_options(synchronize_session=False)).scalar_one()
    message = Message(conversation_id=conversation.id, author_id=actor.id, body=body,
                      body_html=markup.render(body), created_at=now)
    db.session.add(message)
    db.session.flush()
    db.session.execute(
        update(Conversation).where(Conversation.id == conversation.id)
        .values(last_message_id=case((Conversation.last_message_id < message.id, message.id),
                                     else_=Conversation.last_message_id),
                last_message_at=now)
        .execution_options(synchronize_session=False))
    db.session.execute(
        update(ConversationParticipant)
        .where(ConversationParticipant.conversation_id == conversation.id,
               ConversationParticipant.user_id == actor.id)
        .values(last_read_message_id=message.id)
        .execution_options(synchronize_session=False))
    _notify_others(actor, conversation, participant, before, now)
    commit()
    db.session.expire(conversation)
    return message


def _notify_others(actor: User, conversation: Conversation,
                   participant: ConversationParticipant, before: int, now: datetime) -> None:
    """Those still in it who had read up to the message before this one: one query for
    them and one for blocks."""
    rows = list(db.session.execute(
        select(ConversationParticipant, User)
        .join(User, User.id == ConversationParticipant.user_id)
        .where(ConversationParticipant.conversation_id == conversation.id,
               ConversationParticipant.user_id != actor.id,
               ConversationParticipant.left_at.is_(None),
               ConversationParticipant.last_read_message_id >= before)))
    if not rows:
        return
    # The team is never blocked in its own conversations.
    blocked = set() if (conversation.is_team and participant.as_team) else (
        blocks.blockers_among(actor.id, [user.id for _p, user in rows]))
    for _row, user in rows:
        if user.id in blocked or user.is_deleted:
            continue
        notifications.notify(user, NotificationKind.MESSAGE, "conversation.message",
                             {"name": actor.name, "subject": conversation.subject},
                             conversation.url, actor=actor, now=now)


def leave(actor: User, conversation: Conversation, now: datetime | None = None) -> None:
    """Leave a conversation: it goes from the member's list, and they read and receive
    nothing more of it, by mail neither: its notifications they hadn't opened count as read
    (the starter may add them again).

    Refuses: not a participant, or one who left already (403).
    """
    now = now or utcnow()
    participant = _participant(conversation, actor)
    require(Policy(actor, now).can_leave_conversation(participant))
    left = db.session.execute(
        update(ConversationParticipant)
        .where(ConversationParticipant.conversation_id == conversation.id,
               ConversationParticipant.user_id == actor.id,
               ConversationParticipant.left_at.is_(None))
        .values(left_at=now).execution_options(synchronize_session=False)).rowcount
    if left:
        db.session.execute(
            update(Conversation).where(Conversation.id == conversation.id)
            .values(participant_count=Conversation.participant_count - 1)
            .execution_options(synchronize_session=False))
        # What they hadn't opened yet is done with: the bell stops pointing at a
        # conversation they can't read, and no email about it follows them out.
        db.session.execute(
            update(Notification)
            .where(Notification.recipient_id == actor.id,
                   Notification.kind == NotificationKind.MESSAGE,
                   Notification.link == conversation.url,
                   Notification.read_at.is_(None))
            .values(read_at=now).execution_options(synchronize_session=False))
    commit()


def add_participant(actor: User, conversation: Conversation, name: str,
                    now: datetime | None = None) -> User:
    """The starter brings another member in (again, if they had left); they read the whole
    conversation and are told (``MESSAGE``). Someone brought back reads it whole as well,
    what was written while they were away included, like anyone added; what they had read
    before leaving stays read, so the messages of their absence are the new ones.

    Refuses: anyone but the starter while in it (403); a name nobody has, oneself, a member
    already in it, one who blocked the starter or can't log in (outside team conversations),
    a conversation already at ``conversation_max_participants`` (400).
    """
    now = now or utcnow()
    participant = _participant(conversation, actor)
    require(Policy(actor, now).can_add_participant(conversation, participant))
    names = recipients.split_names(name)
    if len(names) != 1:
        raise InvalidField(recipients.FIELD, _("Name one member to add."))
    person = recipients.find(names)[0]
    recipients.check(actor, [person], now, team=conversation.is_team)
    existing = _participant(conversation, person)
    if existing is not None and existing.left_at is None:
        raise InvalidField(recipients.FIELD, _("%(name)s is already in this conversation.",
                                               name=person.username))
    limit = _max_participants()
    # The limit is the condition of the count's own UPDATE: two additions at once can't
    # both take the last place.
    grown = db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.participant_count < limit)
        .values(participant_count=Conversation.participant_count + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not grown:
        db.session.rollback()
        raise InvalidField(recipients.FIELD, _(
            "A conversation can have at most %(max)s people, you included.", max=limit))
    if existing is None:
        db.session.add(ConversationParticipant(
            conversation_id=conversation.id, user_id=person.id, joined_at=now,
            last_read_message_id=0, as_team=conversation.is_team and person.is_moderator))
    else:
        back = db.session.execute(
            update(ConversationParticipant)
            .where(ConversationParticipant.conversation_id == conversation.id,
                   ConversationParticipant.user_id == person.id,
                   ConversationParticipant.left_at.is_not(None))
            # What they had read before leaving stays read: the messages written while
            # they were away are the new ones, not the whole conversation.
            .values(left_at=None, joined_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not back:
            db.session.rollback()
            raise Conflict(_("%(name)s is already in this conversation.", name=person.username))
    notifications.notify(person, NotificationKind.MESSAGE, "conversation.added",
                         {"name": actor.name, "subject": conversation.subject},
                         conversation.url, actor=actor, now=now)
    try:
        commit()
    except Exception:
        # The same member added twice at the same moment: the second insert meets the first.
        db.session.rollback()
        raise Conflict(_("%(name)s is already in this conversation.",
                         name=person.username)) from None
    db.session.expire(conversation)
    return person
