"""All models, importable from one place (and registered on the metadata for Alembic)."""
from .base import UTCDateTime, utcnow
from .boards import Access, Board, Category
from .ratelimit import RateCounter
from .threads import Post, PostRevision, Thread
from .users import BoardModerator, Role, User

__all__ = [
    "Access",
    "Board",
    "BoardModerator",
    "Category",
    "Post",
    "PostRevision",
    "RateCounter",
    "Role",
    "Thread",
    "User",
    "UTCDateTime",
    "utcnow",
]
