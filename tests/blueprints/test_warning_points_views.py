"""Warning points on the pages: the warning form's points, the member's record, the member's
own account page."""
from __future__ import annotations

from html import unescape

from forum.extensions import db
from forum.models import Sanction, SanctionKind
from tests.factories import text


def warn(client, points: str):
    return client.post("/mod/members/member/sanctions", data={
        "kind": "warning", "reason": "Please keep it civil", "message": "", "duration": "60",
        "minutes": "", "ends_at": "", "points": points})


def test_a_moderator_gives_points_and_the_threshold_applies(client, login, moderator, member):
    login(moderator)
    html = text(client.get("/mod/members/member"))
    assert 'name="points"' in html and "up to 5" in html

    response = warn(client, "3")
    assert response.status_code == 302
    sanctions = db.session.query(Sanction).filter_by(user_id=member.id).order_by(Sanction.id)
    warning, timeout = sanctions.all()
    assert (warning.kind, warning.points) == (SanctionKind.WARNING, 3)
    assert (timeout.kind, timeout.issuer_id) == (SanctionKind.TIMEOUT, None)

    html = unescape(text(client.get("/mod/members/member")))
    assert "Current warning points: 3." in html
    assert "3 points" in html
    assert "The forum, for warning points" in html
    assert "Reached 3 warning points." in html


def test_points_out_of_range_are_refused_on_the_form(client, login, moderator, member):
    login(moderator)
    for points in ("0", "6", "two", "99999"):
        response = warn(client, points)
        assert response.status_code == 400, points
        assert "Give the warning from 1 to 5 points." in text(response)
    assert db.session.query(Sanction).count() == 0


def test_an_empty_points_field_means_one(client, login, moderator, member):
    login(moderator)
    assert warn(client, "").status_code == 302
    assert db.session.query(Sanction).one().points == 1


def test_the_member_sees_their_points_and_when_they_expire(client, login, moderator, member):
    login(member)
    assert "Warning points" not in text(client.get("/account/profile"))
    login(moderator)
    warn(client, "2")
    login(member)
    html = unescape(text(client.get("/account/profile")))
    assert "You have 2 warning points." in html
    assert "2 of them expire on" in html
