"""The moderators' lounge: the team talking among themselves."""
from __future__ import annotations

from .script import Reply as R
from .script import ThreadScript as T

THREADS = (
    T(
        "moderators-lounge", "admin", "Should Swap & sell stay members-only?",
        """
        A couple of members asked why they can't link to Swap & sell listings from other
        sites. It's members-only to keep prices, addresses and phone numbers away from search
        engines and scrapers. Do we want to keep it that way?
        """,
        day=44,
        replies=(
            R("mod", """
                Keep it. Registering is free, and I'd rather not make it easy for scrapers to
                collect pickup addresses. People still post phone numbers now and then; at least
                this way only members see them before we tidy up.
                """),
            R("admin", "Agreed, keeping it. I'll put the reason in the board description."),
        ),
    ),
    T(
        "moderators-lounge", "mod", "Removed a post in the OPNsense/pfSense thread",
        """
        For the record: I removed one post in the OPNsense vs pfSense thread in Networking for
        a personal remark ("either paid to or clueless"). The author apologised in the thread
        afterwards, so I don't think anything more is needed. Noting it here in case a pattern
        shows up later.
        """,
        day=30.2,
        replies=(
            R("admin", """
                Agreed: a removal plus a public reminder is the right size of response for a
                first time. Thanks for handling it quickly.
                """),
            R("mod", """
                Once we have proper sanction tools, I'd like a "warning" that's recorded on the
                account but doesn't restrict anything, for exactly this kind of case.
                """),
            R("admin", "Yes, that's on the list."),
        ),
    ),
    T(
        "moderators-lounge", "mod", "Draft: a guideline on AI-generated answers",
        """
        We've had a few replies lately that were clearly pasted from a chatbot, one of them
        confidently wrong about which ESP32 pins are safe to use. Draft for the guidelines:

        > 7. Say when an answer comes from an AI tool, and check it yourself before posting.
        > Confidently wrong answers waste everyone's time, and in electronics they can be
        > dangerous.

        Too strict? Not strict enough?
        """,
        day=24.5,
        replies=(
            R("admin", """
                I like that it asks for disclosure and checking rather than banning it outright.
                Enforceable, and it explains why. Ship it.
                """, after=5),
            R("mod", "Added to the guidelines as rule 7.", after=38),
        ),
    ),
)
