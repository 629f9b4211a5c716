"""Property-based calls against the API's own description (schemathesis): generated from the
OpenAPI document, sent to the app, each answer checked against the same document. No 5xx and
nothing the description doesn't say, for every operation.

Derandomised with a small, fixed budget of examples per operation, so the run is the same on
every machine and stays within the suite's time (the whole module takes well under a minute
on one core)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forum.models import utcnow
from forum.services.community import events as event_service
from forum.services.community.events import EventData
from forum.services.moderation import reports
from forum.services.site import settings as site_settings
from tests import factories
from tests.api_kit import token_for

EXAMPLES_PER_OPERATION = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def api_world(app):
    """Something of everything the API shows, a moderator's token with every scope, and the
    path values that name what exists (half the generated calls use them, so the answers
    aren't all 404s)."""
    admin = factories.make_user(username="root", role="admin")
    site_settings.update(admin, {"api_requests_per_minute": 0, "searches_per_minute": 0})
    board = factories.make_board(slug="general", title="General")
    thread = factories.make_thread(board, author=factories.make_user(username="ann"))
    post = factories.make_post(thread, author=factories.make_user(username="bob"), body="Hi")
    item = reports.file_report(factories.make_user(), post, "spam").item
    start = utcnow() + timedelta(days=3)
    event = event_service.create_event(admin, board, EventData(
        title="Meetup", kind="meetup", starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")))
    moderator = factories.make_user(username="mod", role="moderator")
    known = {"slug": "general", "thread_id": thread.id, "post_id": post.id,
             "event_id": event.id, "item_id": item.id, "username": "ann", "kind": "thanks"}
    return token_for(moderator, ("read", "write", "moderate")), known


def _operations() -> list[tuple[str, str]]:
    from forum.blueprints.api.declare import OPERATIONS
    from forum.blueprints.api.openapi import openapi_path

    return [(op.method, openapi_path(op.rule)) for op in OPERATIONS]


OPERATIONS = _operations()


@pytest.mark.parametrize("method,path", OPERATIONS,
                         ids=[f"{method} {path}" for method, path in OPERATIONS])
def test_the_api_keeps_to_its_description(app, api_world, method, path):
    token, known = api_world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]

    def existing(case, use_known: bool):
        if use_known and case.path_parameters:
            case.path_parameters = {name: known.get(name, value)
                                    for name, value in case.path_parameters.items()}
        return case

    cases = st.builds(existing, operation.as_strategy(), st.booleans())

    @given(case=cases)
    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
              database=None, suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               checks=CHECKS)

    call()
