"""Asking the six kinds of viewer of the ``role_world`` fixture (tests/conftest.py) the same
policy question."""
from __future__ import annotations

from forum.policy import Policy

VIEWERS = ["guest", "member", "other_board_moderator", "board_moderator", "moderator", "admin"]


def answers(world, question, now=None) -> dict[str, str]:
    """'yes', 'login' or 'no' per viewer, the policy judging at ``now``; a plain yes/no
    question gives 'yes' or 'no', and every refused decision must say why."""
    board, users = world
    result = {}
    for name in VIEWERS:
        decision = question(Policy(users[name], now), board, users)
        if isinstance(decision, bool):
            result[name] = "yes" if decision else "no"
            continue
        result[name] = "yes" if decision else ("login" if decision.login_required else "no")
        assert decision or decision.reason, f"{name}: a refusal must say why"
    return result
