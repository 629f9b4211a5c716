"""The one place that answers "may this user do X to Y?", with a reason.

Views, templates and (later) the API ask a ``Policy``; list queries go through its
``visible_*`` filters so rows a viewer may not see never reach a page.
"""
from __future__ import annotations

from flask import g
from flask_login import current_user

from .community import CommunityRules
from .content import ContentRules
from .conversations import ConversationRules
from .moderation import ModerationRules
from .polls import PollRules
from .uploads import UploadRules


class Policy(ContentRules, ModerationRules, CommunityRules, ConversationRules, PollRules,
             UploadRules):
    """One object for pages, templates and queries; its questions are grouped by area in the
    modules beside this one, each returning a ``Decision`` (``policy.decision``)."""


def policy() -> Policy:
    """The current viewer's policy, built once per request."""
    if "policy" not in g:
        # The user itself, not the proxy: the policy reads it dozens of times a page.
        g.policy = Policy(current_user._get_current_object())
    return g.policy
