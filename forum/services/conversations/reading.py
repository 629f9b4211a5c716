"""A member's conversations and one conversation's page, each in a fixed number of queries
whatever their length, and the header's count of unread conversations.

Only participants read: every function here starts from the viewer's own participation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import aliased, joinedload

from ...common.paging import page_count
from ...errors import NotFound, require
from ...extensions import db
from ...models import (
    Conversation,
    ConversationParticipant,
    Message,
    Notification,
    NotificationKind,
    User,
    utcnow,
)
from ...policy import Policy
from .. import data_export

PER_PAGE = 30


@cache
def unread_count_query():
    """How many conversations of the member given as the ``viewer_id`` parameter have
    messages they haven't read, as a scalar subquery for the header's one round trip."""
    return (
        select(func.count())
        .select_from(ConversationParticipant)
        .join(Conversation, Conversation.id == ConversationParticipant.conversation_id)
        .where(ConversationParticipant.user_id == bindparam("viewer_id"),
               ConversationParticipant.left_at.is_(None),
               Conversation.last_message_id > ConversationParticipant.last_read_message_id)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    unread: int
    last_message: Message | None
    last_author: User | None
    others: list[User]  # the other people still in it


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    page: int
    pages: int
    total: int


def inbox(viewer: Policy, page: int = 1, per_page: int = 25) -> Inbox:
    """The viewer's conversations (not the ones they left), latest message first, with how
    many messages each has they haven't read, its latest message and who else is in it: three
    queries.

    Refuses: guests (login); a page past the last (404).
    """
    require(viewer.can_use_messages())
    user_id = viewer.user.id
    mine = (ConversationParticipant.user_id == user_id,
            ConversationParticipant.left_at.is_(None))
    total = db.session.scalar(
        select(func.count()).select_from(ConversationParticipant).where(*mine)) or 0
    pages = page_count(total, per_page)
    if page < 1 or page > pages:
        raise NotFound(_("That page of your conversations doesn't exist."))
    unread = (
        select(func.count(Message.id))
        .where(Message.conversation_id == Conversation.id,
               Message.id > ConversationParticipant.last_read_message_id)
        .correlate(Conversation, ConversationParticipant)
        .scalar_subquery()
    )
    author = aliased(User)
    found = db.session.execute(
        select(Conversation, unread, Message, author)
        .join(ConversationParticipant,
              ConversationParticipant.conversation_id == Conversation.id)
        .outerjoin(Message, Message.id == Conversation.last_message_id)
        .outerjoin(author, author.id == Message.author_id)
        .where(*mine)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    ids = [row[0].id for row in found]
    others: dict[int, list[User]] = {conversation_id: [] for conversation_id in ids}
    if ids:
        for conversation_id, person in db.session.execute(
            select(ConversationParticipant.conversation_id, User)
            .join(User, User.id == ConversationParticipant.user_id)
            .where(ConversationParticipant.conversation_id.in_(ids),
                   ConversationParticipant.user_id != user_id,
                   ConversationParticipant.left_at.is_(None))
            .order_by(ConversationParticipant.joined_at, User.id)
        ):
            others[conversation_id].append(person)
    rows = [InboxRow(conversation=conversation, unread=count or 0, last_message=message,
                     last_author=writer, others=others[conversation.id])
            for conversation, count, message, writer in found]
    return Inbox(rows=rows, page=page, pages=pages, total=total)


def get(viewer: Policy, conversation_id: int) -> tuple[Conversation, ConversationParticipant]:
    """The conversation with the viewer's place in it: one query.

    Refuses: guests (login); a conversation that doesn't exist or that the viewer isn't in
    (404, the same for both, so ids can't be probed); one they left (403, with the reason).
    """
    require(viewer.can_use_messages())
    row = db.session.execute(
        select(Conversation, ConversationParticipant)
        .outerjoin(ConversationParticipant,
                   (ConversationParticipant.conversation_id == Conversation.id)
                   & (ConversationParticipant.user_id == viewer.user.id))
        .where(Conversation.id == conversation_id)
    ).one_or_none()
    if row is None or row[1] is None:
        raise NotFound(_("That conversation doesn't exist, or you aren't in it."))
    conversation, participant = row
    require(viewer.can_read_conversation(participant))
    return conversation, participant


@dataclass(frozen=True)
class ConversationPage:
    conversation: Conversation
    participant: ConversationParticipant
    people: list[ConversationParticipant]  # with their members; those who left too
    messages: list[Message]
    page: int
    pages: int
    # The last message the viewer had read before this page was shown: later ones are new.
    read_before: int


def page_of(viewer: Policy, conversation_id: int, page: int | None = None,
            per_page: int = PER_PAGE, now: datetime | None = None) -> ConversationPage:
    """A page of the conversation, oldest first (the last page when none is asked for), with
    its people, marking what it shows as read (and the viewer's notifications about it):
    five statements whatever its length.

    Refuses: as ``get``; a page past the last (404).
    """
    conversation, participant = get(viewer, conversation_id)
    pages = page_count(conversation.message_count, per_page)
    page = pages if page is None else page
    if page < 1 or page > pages:
        raise NotFound(_("That page of the conversation doesn't exist."))
    people = list(db.session.scalars(
        select(ConversationParticipant)
        .where(ConversationParticipant.conversation_id == conversation.id)
        .options(joinedload(ConversationParticipant.user))
        .order_by(ConversationParticipant.joined_at, ConversationParticipant.user_id)))
    messages = list(db.session.scalars(
        select(Message).where(Message.conversation_id == conversation.id)
        .options(joinedload(Message.author))
        .order_by(Message.id).limit(per_page).offset((page - 1) * per_page)))
    read_before = participant.last_read_message_id
    shown = messages[-1].id if messages else 0
    if shown > read_before:
        _mark_read(viewer.user, conversation, shown, now or utcnow())
    return ConversationPage(conversation=conversation, participant=participant, people=people,
                            messages=messages, page=page, pages=pages,
                            read_before=read_before)


def _mark_read(user: User, conversation: Conversation, up_to: int, now: datetime) -> None:
    """Reading state is the reader's own and best-effort: written on a connection of its own,
    so the page's objects stay loaded (a commit would expire every message on it)."""
    with db.engine.begin() as connection:
        connection.execute(
            update(ConversationParticipant)
            .where(ConversationParticipant.conversation_id == conversation.id,
                   ConversationParticipant.user_id == user.id,
                   ConversationParticipant.last_read_message_id < up_to)
            .values(last_read_message_id=up_to))
        if up_to >= conversation.last_message_id:
            connection.execute(
                update(Notification)
                .where(Notification.recipient_id == user.id,
                       Notification.kind == NotificationKind.MESSAGE,
                       Notification.link == conversation.url,
                       Notification.read_at.is_(None))
                .values(read_at=now))


# -- the member's own data ------------------------------------------------------------------

@data_export.section("conversations")
def export_conversations(user: User) -> list[dict]:
    """The member's conversations with everything they could read in them (up to when they
    left; of a message a moderator removed, only that it was, unless they wrote it): three
    queries."""
    participations = list(db.session.execute(
        select(ConversationParticipant, Conversation)
        .join(Conversation, Conversation.id == ConversationParticipant.conversation_id)
        .where(ConversationParticipant.user_id == user.id)
        .order_by(Conversation.created_at, Conversation.id)))
    ids = [conversation.id for _p, conversation in participations]
    people: dict[int, list[str]] = {conversation_id: [] for conversation_id in ids}
    messages: dict[int, list[dict]] = {conversation_id: [] for conversation_id in ids}
    if ids:
        for conversation_id, username in db.session.execute(
            select(ConversationParticipant.conversation_id, User.username)
            .join(User, User.id == ConversationParticipant.user_id)
            .where(ConversationParticipant.conversation_id.in_(ids))
            .order_by(ConversationParticipant.joined_at, User.id)
        ):
            people[conversation_id].append(username)
        left = {conversation.id: participant.left_at for participant, conversation
                in participations}
        for message, username in db.session.execute(
            select(Message, User.username).join(User, User.id == Message.author_id)
            .where(Message.conversation_id.in_(ids)).order_by(Message.id)
        ):
            until = left[message.conversation_id]
            if until is not None and message.created_at > until:
                continue
            # A message a moderator removed is gone for its readers; its author keeps it.
            shown = not message.is_hidden or message.author_id == user.id
            messages[message.conversation_id].append({
                "id": message.id, "author": username,
                "body": message.body if shown else None,
                "removed_by_moderator": message.is_hidden,
                "created_at": data_export.iso(message.created_at)})
    return [{"id": conversation.id, "subject": conversation.subject,
             "from_the_team": conversation.is_team,
             "started_at": data_export.iso(conversation.created_at),
             "joined_at": data_export.iso(participant.joined_at),
             "left_at": data_export.iso(participant.left_at),
             "participants": people[conversation.id],
             "messages": messages[conversation.id]}
            for participant, conversation in participations]
