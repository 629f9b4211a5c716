"""What the forum offers to machines that read it without logging in: Atom feeds of public
boards, threads, the latest threads and announcements, and the sitemap of public pages.

Everything here is read as a guest (``Policy(None)``) whoever asks: a feed or a sitemap is
the same for every reader, never shows a members-only, staff or group board, and can be kept
by shared caches.
"""
