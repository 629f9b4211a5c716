"""All models, importable from one place (and registered on the metadata for Alembic)."""
from .base import UTCDateTime, utcnow
from .boards import Access, Board, Category
from .moderation import (
    ACTIVE_STATUSES,
    CannedResponse,
    ItemStatus,
    ModAction,
    ModeratorNote,
    Report,
    ReportItem,
    ReportReason,
    Sanction,
    SanctionKind,
    TargetKind,
)
from .notifications import Notification, NotificationKind
from .ratelimit import RateCounter
from .settings import SETTINGS, Setting, SettingSpec
from .threads import Post, PostRevision, Thread
from .users import BoardModerator, Role, User

__all__ = [
    "ACTIVE_STATUSES",
    "Access",
    "Board",
    "BoardModerator",
    "CannedResponse",
    "Category",
    "ItemStatus",
    "ModAction",
    "ModeratorNote",
    "Notification",
    "NotificationKind",
    "Report",
    "ReportItem",
    "ReportReason",
    "SETTINGS",
    "Sanction",
    "SanctionKind",
    "Setting",
    "SettingSpec",
    "TargetKind",
    "Post",
    "PostRevision",
    "RateCounter",
    "Role",
    "Thread",
    "User",
    "UTCDateTime",
    "utcnow",
]
