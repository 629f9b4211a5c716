"""Page arithmetic shared by every paginated list."""
from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """At least one page, so an empty list still has a page 1 to show."""
    return max(1, -(-total // per_page))
