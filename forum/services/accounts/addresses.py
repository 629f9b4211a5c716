"""The network addresses members used, for spotting a spammer's other accounts.

An address is recorded when a member signs up, logs in or sends a form (posting, editing),
never for reading pages: at most one write per member and address an hour, skipped in memory
before any query when this process wrote it lately. Rows older than the
``member_address_days`` setting are deleted by ``forum run-timers`` (data protection), and a
member's export lists theirs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from flask import current_app
from sqlalchemy import and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ...database import commit
from ...errors import require
from ...extensions import db
from ...models import MemberAddress, User, utcnow
from ...policy import Policy
from ...stores import settings
from .. import data_export
from .bans import ip

WRITE_EVERY = timedelta(hours=1)
# Per app: (user id, address) → when this process last wrote it. Cleared when it grows past
# this, which costs at most one extra write per pair.
_MEMO_MAX = 10_000
_WRITTEN: WeakKeyDictionary = WeakKeyDictionary()


def normalised(address: str | None) -> str | None:
    value = ip(address)
    return str(value) if value is not None else None


def _upsert(user_id: int, address: str, now: datetime):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(MemberAddress).values(user_id=user_id, address=address,
                                             first_seen=now, last_seen=now)
    return statement.on_conflict_do_update(
        index_elements=[MemberAddress.user_id, MemberAddress.address],
        set_={"last_seen": now},
        where=MemberAddress.last_seen < now - WRITE_EVERY,
    )


def record(user_id: int, address: str | None, now: datetime | None = None, *,
           separately: bool = False) -> bool:
    """Note that the member used ``address`` at ``now``; returns whether it wrote. In the
    caller's transaction (no commit), or ``separately`` on a connection of its own, for the
    request hook that must not open the page's transaction with a write."""
    address = normalised(address)
    if address is None or user_id is None:
        return False
    now = now or utcnow()
    memo = _WRITTEN.setdefault(current_app._get_current_object(), {})
    last = memo.get((user_id, address))
    if last is not None and timedelta(0) <= now - last < WRITE_EVERY:
        return False
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    statement = _upsert(user_id, address, now)
    if separately:
        with db.engine.begin() as connection:
            connection.execute(statement)
    else:
        db.session.execute(statement)
    memo[(user_id, address)] = now
    return True


def forget_memo() -> None:
    _WRITTEN.pop(current_app._get_current_object(), None)


def purge(now: datetime | None = None) -> int:
    """Delete addresses not seen for ``member_address_days``; returns how many went."""
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.get("member_address_days"))
    gone = db.session.execute(
        delete(MemberAddress).where(MemberAddress.last_seen < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    commit()
    if gone:
        forget_memo()
    return gone


def used_by(user: User) -> list[str]:
    return list(db.session.scalars(
        select(MemberAddress.address).where(MemberAddress.user_id == user.id)
        .order_by(MemberAddress.address)
    ))


@dataclass(frozen=True)
class UsedAddress:
    address: str
    first_seen: datetime
    last_seen: datetime
    others: list[User]  # other accounts that used the same address


def lookup(viewer: Policy, user: User) -> list[UsedAddress]:
    """The addresses ``user`` used, latest first, each with the other accounts that used it:
    one query whatever the numbers. Refuses: anyone but moderators of the whole forum."""
    require(viewer.can_view_member_addresses())
    other = aliased(MemberAddress)
    rows = db.session.execute(
        select(MemberAddress, User)
        .outerjoin(other, and_(other.address == MemberAddress.address,
                               other.user_id != MemberAddress.user_id))
        .outerjoin(User, User.id == other.user_id)
        .where(MemberAddress.user_id == user.id)
        .order_by(MemberAddress.last_seen.desc(), MemberAddress.address, User.username_key)
    ).all()
    used: dict[str, UsedAddress] = {}
    for row, other_user in rows:
        entry = used.setdefault(row.address, UsedAddress(row.address, row.first_seen,
                                                         row.last_seen, []))
        if other_user is not None:
            entry.others.append(other_user)
    return list(used.values())


@data_export.section("addresses")
def _export(user: User) -> list[dict]:
    return [
        {"address": row.address, "first_seen": data_export.iso(row.first_seen),
         "last_seen": data_export.iso(row.last_seen)}
        for row in db.session.scalars(
            select(MemberAddress).where(MemberAddress.user_id == user.id)
            .order_by(MemberAddress.first_seen)
        )
    ]
