"""All models, importable from one place (and registered on the metadata for Alembic)."""
from .announcements import Announcement, AnnouncementDismissal, Audience, Placement, Severity
from .appeals import Appeal, AppealStatus
from .approvals import HoldCause, PendingPost, PendingState, WatchedWord, WordAction
from .base import UTCDateTime, utcnow
from .boards import Access, Board, BoardSlug, Category
from .conversations import (
    Conversation,
    ConversationParticipant,
    Message,
    ReportedMessage,
    UserBlock,
)
from .desk import DeskState
from .engagement import (
    Challenge,
    ChallengeBallot,
    ChallengeEntry,
    ChallengeVote,
    EventExpert,
    EventQuestion,
    QuestionVote,
)
from .events import EVENT_KIND_LABELS, Event, EventKind, EventRsvp, RsvpStatus
from .groups import BoardGroup, Group, GroupLimit, GroupMember
from .keepup import (
    REACTIONS,
    WATCH_LEVEL_LABELS,
    BoardWatch,
    Bookmark,
    Reaction,
    ReactionCount,
    ReactionKind,
    ThreadRead,
    WatchLevel,
)
from .logins import Login
from .mail import MailCategory, MailStatus, OutboxMessage
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
    ranked_reasons,
)
from .notifications import Notification, NotificationKind
from .polls import RESULTS_SHOWN_LABELS, Poll, PollBallot, PollOption, PollVote, ResultsShown
from .ratelimit import RateCounter
from .search import PostSearch
from .settings import SETTINGS, Choice, Email, Setting, SettingSpec, TimeZone
from .site import DOCUMENT_TITLES, Invitation, SiteDocument
from .spam import BanEntry, BanKind, MemberAddress, SpamRemoval
from .threads import Post, PostRevision, Thread, ThreadMoveNotice
from .tokens import ApiToken, Scope
from .two_factor import RecoveryCode, TwoFactor
from .uploads import MIME_TYPES, Upload
from .users import BoardModerator, OldUsername, PasswordReset, Role, User
from .webhooks import CHOOSABLE_EVENTS, DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "RESULTS_SHOWN_LABELS",
    "Poll",
    "PollBallot",
    "PollOption",
    "PollVote",
    "ResultsShown",
    "Challenge",
    "ChallengeBallot",
    "ChallengeEntry",
    "ChallengeVote",
    "EventExpert",
    "EventQuestion",
    "QuestionVote",
    "PostSearch",
    "CHOOSABLE_EVENTS",
    "DeliveryStatus",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "Conversation",
    "ConversationParticipant",
    "Message",
    "ReportedMessage",
    "UserBlock",
    "REACTIONS",
    "WATCH_LEVEL_LABELS",
    "Bookmark",
    "BoardWatch",
    "Reaction",
    "ReactionCount",
    "ReactionKind",
    "ThreadRead",
    "WatchLevel",
    "Appeal",
    "AppealStatus",
    "RecoveryCode",
    "TwoFactor",
    "HoldCause",
    "PendingPost",
    "PendingState",
    "WatchedWord",
    "WordAction",
    "Announcement",
    "AnnouncementDismissal",
    "Audience",
    "EVENT_KIND_LABELS",
    "Event",
    "Group",
    "GroupLimit",
    "GroupMember",
    "Login",
    "ApiToken",
    "Scope",
    "MailCategory",
    "MailStatus",
    "OutboxMessage",
    "EventKind",
    "EventRsvp",
    "Placement",
    "RsvpStatus",
    "Severity",
    "ACTIVE_STATUSES",
    "Access",
    "BanEntry",
    "BanKind",
    "Board",
    "BoardGroup",
    "BoardModerator",
    "BoardSlug",
    "CannedResponse",
    "Category",
    "DeskState",
    "ItemStatus",
    "MemberAddress",
    "ModAction",
    "ModeratorNote",
    "OldUsername",
    "PasswordReset",
    "Notification",
    "NotificationKind",
    "Report",
    "ReportItem",
    "ReportReason",
    "ranked_reasons",
    "SETTINGS",
    "Choice",
    "DOCUMENT_TITLES",
    "Email",
    "Invitation",
    "SiteDocument",
    "TimeZone",
    "Sanction",
    "SpamRemoval",
    "SanctionKind",
    "Setting",
    "SettingSpec",
    "TargetKind",
    "Post",
    "PostRevision",
    "RateCounter",
    "Role",
    "Thread",
    "ThreadMoveNotice",
    "Upload",
    "MIME_TYPES",
    "User",
    "UTCDateTime",
    "utcnow",
]
