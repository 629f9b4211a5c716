"""The /messages pages and blocking over HTTP: every route for every kind of viewer, bad
input, query budgets that do not grow with a conversation, and races with real concurrent
requests."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Conversation, Message, ModAction, ReportItem, User
from forum.services import blocks
from forum.services.conversations import writing
from forum.services.site import settings
from tests import factories

VIEWERS = ("guest", "member", "participant", "moderator", "admin")
MEMBERS = frozenset(VIEWERS[1:])
PARTICIPANT = frozenset({"participant"})


@pytest.fixture(autouse=True)
def _database_rate_limits(app):
    app.config["REDIS_URL"] = None


@dataclass
class World:
    starter: User
    partner: User  # the other participant
    conversation: Conversation
    message: Message  # by the starter
    viewer: User | None = None


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    data: Callable[[World], dict] = field(default=lambda w: {})


# The participant is the partner, except where the starter is needed (adding people).
CASES: dict[str, Case] = {
    "messages.index": Case("GET", lambda w: "/messages", MEMBERS),
    "messages.new:GET": Case("GET", lambda w: f"/messages/new?to={w.starter.username}",
                             MEMBERS),
    "messages.new:POST": Case("POST", lambda w: "/messages/new", MEMBERS,
                              data=lambda w: {"recipients": w.starter.username,
                                              "subject": "Hello", "body": "A message"}),
    "messages.show": Case("GET", lambda w: f"/messages/{w.conversation.id}", PARTICIPANT),
    "messages.reply": Case("POST", lambda w: f"/messages/{w.conversation.id}/reply",
                           PARTICIPANT, data=lambda w: {"body": "An answer"}),
    "messages.leave": Case("POST", lambda w: f"/messages/{w.conversation.id}/leave",
                           PARTICIPANT),
    "messages.add": Case("POST", lambda w: f"/messages/{w.conversation.id}/add", PARTICIPANT,
                         data=lambda w: {"name": factories.make_established_user().username}),
    "messages.blocked": Case("GET", lambda w: "/account/blocked", MEMBERS),
    "messages.block": Case("POST", lambda w: f"/u/{w.starter.username}/block", MEMBERS,
                           data=lambda w: {"collapse_posts": "y"}),
    "messages.unblock": Case("POST", lambda w: f"/u/{w.starter.username}/unblock", MEMBERS),
    "reports.new:message": Case("GET", lambda w: f"/report/message/{w.message.id}",
                                PARTICIPANT),
}


@pytest.fixture
def world(app):
    starter = factories.make_established_user("starter")
    partner = factories.make_established_user("partner")
    conversation = writing.start(starter, "partner", "The drill", "Still for sale?")
    message = db.session.scalar(select(Message).where(Message.conversation_id ==
                                                       conversation.id))
    return World(starter=starter, partner=partner, conversation=conversation, message=message)


def _viewer(role: str, world: World, key: str) -> User | None:
    if role == "guest":
        return None
    if role == "participant":
        return world.starter if key == "messages.add" else world.partner
    return factories.make_established_user(role=role if role != "member" else "member")


def test_every_route_has_an_entry(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] == "messages":
            methods = rule.methods - {"HEAD", "OPTIONS"}
            for method in methods:
                routes.add(rule.endpoint if len(methods) == 1 else f"{rule.endpoint}:{method}")
    assert routes == {key for key in CASES if not key.startswith("reports.")}


@pytest.mark.parametrize("role", VIEWERS)
@pytest.mark.parametrize("key", sorted(CASES))
def test_route_for_every_viewer(client, login, world, key, role):
    case = CASES[key]
    world.viewer = _viewer(role, world, key)
    if world.viewer is not None:
        login(world.viewer)
    url = case.url(world)
    response = (client.post(url, data=case.data(world)) if case.method == "POST"
                else client.get(url))
    location = response.headers.get("Location", "")
    if role == "guest":
        assert response.status_code == 302 and "/login" in location, (key, response.status_code)
    elif role in case.allowed:
        assert response.status_code in (200, 302), (key, role, response.status_code)
        assert "/login" not in location
    else:
        # Someone else's conversation is not found, whoever asks: ids can't be probed.
        assert response.status_code == 404, (key, role, response.status_code)
        assert "Still for sale?" not in response.get_data(as_text=True)


def test_a_participant_who_left_is_told_so(client, login, world):
    writing.leave(world.partner, world.conversation)
    login(world.partner)
    response = client.get(f"/messages/{world.conversation.id}")
    assert response.status_code == 403
    assert "You left this conversation" in response.get_data(as_text=True)
    response = client.post(f"/messages/{world.conversation.id}/reply", data={"body": "Hey"})
    assert response.status_code == 403


# -- pages ----------------------------------------------------------------------------------
def test_a_member_added_back_reads_it_whole_with_what_they_missed_as_new(client, login,
                                                                          world):
    login(world.partner)
    client.get(f"/messages/{world.conversation.id}")
    client.post(f"/messages/{world.conversation.id}/leave")
    writing.reply(world.starter, world.conversation, "Sold it to someone else")
    login(world.starter)
    page = client.get(f"/messages/{world.conversation.id}").get_data(as_text=True)
    assert "someone who left it, also what was written while they were away" in page
    url = f"/messages/{world.conversation.id}/add"
    assert client.post(url, data={"name": "nobody-here"}).status_code == 400
    assert client.post(url, data={"name": "partner"}).status_code == 302
    assert client.post(url, data={"name": "partner"}).status_code == 400
    login(world.partner)
    html = client.get(f"/messages/{world.conversation.id}").get_data(as_text=True)
    assert "Still for sale?" in html and "Sold it to someone else" in html
    assert html.count('class="badge badge-pinned"') == 1


def test_starting_from_a_profile_and_answering(client, login, world):
    login(world.partner)
    profile = client.get(f"/u/{world.starter.username}").get_data(as_text=True)
    assert f"/messages/new?to={world.starter.username}" in profile
    page = client.get(f"/messages/new?to={world.starter.username}").get_data(as_text=True)
    assert f'value="{world.starter.username}"' in page
    response = client.post("/messages/new", data={
        "recipients": world.starter.username, "subject": "Pickup", "body": "Saturday at 10?"})
    assert response.status_code == 302
    conversation_url = response.headers["Location"]
    html = client.get(conversation_url).get_data(as_text=True)
    assert "Saturday at 10?" in html and "Pickup" in html
    response = client.post(conversation_url + "/reply", data={"body": "Or *Sunday*"})
    assert response.status_code == 302
    assert "<em>Sunday</em>" in client.get(conversation_url).get_data(as_text=True)


def test_the_header_counts_unread_conversations(client, login, world):
    login(world.partner)
    html = client.get("/").get_data(as_text=True)
    assert "Conversations: 1 unread" in html
    client.get(f"/messages/{world.conversation.id}")
    html = client.get("/").get_data(as_text=True)
    assert "Conversations: 1 unread" not in html


def test_the_list_shows_unread_counts_and_the_latest_message(client, login, world):
    writing.reply(world.starter, world.conversation, "Hello again")
    login(world.partner)
    html = client.get("/messages").get_data(as_text=True)
    assert "2 new" in html and "Hello again" in html and "The drill" in html


@pytest.mark.parametrize("data, message", [
    ({"recipients": "", "subject": "Hi", "body": "Hello"}, "Name at least one member"),
    ({"recipients": "ghost", "subject": "Hi", "body": "Hello"},
     "There is no member called ghost."),
    ({"recipients": "partner", "subject": "", "body": "Hello"}, "Please give the conversation"),
    ({"recipients": "partner", "subject": "Hi", "body": ""}, "Please write a message."),
    ({"recipients": "partner", "subject": "x" * 121, "body": "Hello"}, "at most 120"),
    ({"recipients": "starter", "subject": "Hi", "body": "Hello"},
     "You can&#39;t start a conversation with yourself."),
])
def test_bad_input_comes_back_with_the_draft(client, login, world, data, message):
    login(world.starter)
    response = client.post("/messages/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if data["body"]:
        assert data["body"] in html


def test_too_many_people_and_a_blocked_recipient(client, login, world):
    settings.update(factories.make_user(role="admin"), {"conversation_max_participants": 2})
    other = factories.make_established_user("third")
    login(world.starter)
    response = client.post("/messages/new", data={
        "recipients": "partner, third", "subject": "Hi", "body": "Hello"})
    assert response.status_code == 400
    assert "at most 2 people" in response.get_data(as_text=True)
    blocks.block(other, world.starter)
    response = client.post("/messages/new", data={
        "recipients": "third", "subject": "Hi", "body": "Hello"})
    assert response.status_code == 400
    assert "third can&#39;t receive messages from you." in response.get_data(as_text=True)


def test_a_new_member_is_told_why_and_keeps_the_draft(client, login, world):
    newcomer = factories.make_user("newcomer")
    login(newcomer)
    assert "New members can start conversations" in client.get("/messages/new").get_data(
        as_text=True)
    response = client.post("/messages/new", data={
        "recipients": "partner", "subject": "Hi", "body": "My careful words"})
    assert response.status_code == 403
    assert "My careful words" in response.get_data(as_text=True)


def test_the_hourly_limit_answers_429_with_retry_after(client, login, world):
    settings.update(factories.make_user(role="admin"), {"conversations_per_hour": 1})
    login(world.starter)
    data = {"recipients": "partner", "subject": "Again", "body": "Hello"}
    response = client.post("/messages/new", data=data)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "at most 1 conversations an hour" in response.get_data(as_text=True)


def test_malformed_ids_and_pages(client, login, world):
    login(world.partner)
    assert client.get("/messages/99999999999").status_code == 404
    assert client.get(f"/messages/{world.conversation.id}?page=9").status_code == 404
    assert client.get(f"/messages/{world.conversation.id}?page=x").status_code in (400, 404)
    assert client.get("/messages?page=5").status_code == 404
    assert client.post("/u/nobody/block").status_code == 404
    assert client.post(f"/messages/{world.conversation.id}/reply",
                       data={"body": "x" * 20_001}).status_code == 400


# -- moderation ------------------------------------------------------------------------------
def test_a_reported_message_reaches_the_queue_with_only_its_context(client, login, world):
    for n in range(7):
        writing.reply(world.partner if n % 2 else world.starter, world.conversation, f"line {n}")
    rude = writing.reply(world.partner, world.conversation, "You will regret this")
    login(world.starter)
    response = client.post(f"/report/message/{rude.id}", data={"reason": "harassment",
                                                               "note": "A threat"})
    assert response.status_code == 302
    moderator = factories.make_user(role="moderator")
    login(moderator)
    queue = client.get("/mod/reports").get_data(as_text=True)
    assert "Private message by @partner" in queue and "You will regret this" not in queue
    item_id = db.session.scalar(select(ReportItem.id).where(ReportItem.target_kind == "message"))
    html = client.get(f"/mod/reports/{item_id}").get_data(as_text=True)
    assert "You will regret this" in html
    for n in range(2, 7):
        assert f"line {n}" in html
    assert "line 1" not in html and "Still for sale?" not in html
    client.get(f"/mod/reports/{item_id}")
    views = db.session.scalar(select(func.count(ModAction.id)).where(
        ModAction.action == "message.view", ModAction.actor_id == moderator.id))
    assert views == 2
    # The way to talk first, from the report.
    assert f"/mod/members/partner/message?item={item_id}" in html


def _reported_threat(client, login, world) -> tuple[Message, int]:
    rude = writing.reply(world.partner, world.conversation, "Pay or you will regret it")
    login(world.starter)
    client.post(f"/report/message/{rude.id}", data={"reason": "harassment"})
    item_id = db.session.scalar(select(ReportItem.id).where(ReportItem.target_kind == "message"))
    return rude, item_id


def test_a_moderator_removes_a_reported_message(client, login, world):
    rude, item_id = _reported_threat(client, login, world)
    login(factories.make_user(role="moderator"))
    page = client.get(f"/mod/reports/{item_id}").get_data(as_text=True)
    assert 'value="hide_message"' in page and "Remove the message from the conversation" in page
    # Without a reason the form comes back and nothing changes.
    response = client.post(f"/mod/reports/{item_id}/resolve",
                           data={"actions": ["hide_message"], "reason": ""})
    assert response.status_code == 400
    assert "Please give a reason for “removed the message”." in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Message, rude.id).is_hidden
    response = client.post(f"/mod/reports/{item_id}/resolve",
                           data={"actions": ["hide_message"], "reason": "Threats"})
    assert response.status_code == 302
    page = client.get(f"/mod/reports/{item_id}").get_data(as_text=True)
    assert "Removed by a moderator" in page and "Pay or you will regret it" in page
    for member in (world.starter, world.partner):
        login(member)
        html = client.get(f"/messages/{world.conversation.id}").get_data(as_text=True)
        assert "This message was removed by a moderator." in html
        assert "Pay or you will regret it" not in html and "Still for sale?" in html
        assert f"/report/message/{rude.id}" not in html
        listed = client.get("/messages").get_data(as_text=True)
        assert "This message was removed by a moderator." in listed
        assert "regret" not in listed
    assert client.get(f"/report/message/{rude.id}").status_code == 403


def test_two_moderators_removing_at_once_remove_once(app, client, login, world):
    rude, item_id = _reported_threat(client, login, world)
    moderators = [factories.make_user(role="moderator") for _ in range(2)]
    clients = [c for moderator in moderators for c in _clients(app, moderator, 1)]
    statuses = _at_once(clients, lambda client, n: client.post(
        f"/mod/reports/{item_id}/resolve",
        data={"actions": ["hide_message"], "reason": f"Threats {n}"}))
    assert statuses == [302, 409]
    db.session.expire_all()
    assert db.session.get(Message, rude.id).is_hidden
    assert db.session.scalar(select(func.count(ModAction.id)).where(
        ModAction.action == "message.hide")) == 1


def test_a_moderator_writes_for_the_team_and_the_member_answers(client, login, world):
    moderator = factories.make_user(role="moderator", username="mia")
    login(moderator)
    record = client.get("/mod/members/partner").get_data(as_text=True)
    assert "/mod/members/partner/message" in record
    response = client.post("/mod/members/partner/message",
                           data={"subject": "Your listing", "body": "Please add a price."})
    assert response.status_code == 302
    conversation = db.session.scalar(select(Conversation).where(Conversation.is_team))
    login(world.partner)
    html = client.get(f"/messages/{conversation.id}").get_data(as_text=True)
    assert "From the team" in html and "Please add a price." in html
    logged = db.session.scalar(select(ModAction).where(
        ModAction.action == "conversation.team_start"))
    assert logged.actor_id == moderator.id and logged.target_user_id == world.partner.id
    assert "Please add a price." not in (logged.reason or "")


# -- blocking ----------------------------------------------------------------------------------
def test_blocking_from_the_profile_and_the_list(client, login, world):
    login(world.partner)
    assert client.post(f"/u/{world.starter.username}/block").status_code == 302
    profile = client.get(f"/u/{world.starter.username}").get_data(as_text=True)
    assert "You blocked this member." in profile
    html = client.get("/account/blocked").get_data(as_text=True)
    assert world.starter.username in html
    client.post(f"/u/{world.starter.username}/unblock")
    html = client.get("/account/blocked").get_data(as_text=True)
    assert f'href="/u/{world.starter.username}"' not in html
    assert "You haven't blocked anyone." in html
    # The blocked member sees nothing of it.
    login(world.starter)
    assert "blocked" not in client.get(f"/u/{world.partner.username}").get_data(
        as_text=True).lower().replace("blocked members", "")


def test_folded_posts_show_behind_a_summary_for_the_blocker_only(client, login, world):
    thread = factories.make_thread(factories.make_board(), author=world.partner, title="Drills")
    factories.make_post(thread, author=world.starter, body="Buy my drill")
    blocks.block(world.partner, world.starter, collapse_posts=True)
    login(world.partner)
    html = client.get(thread.url).get_data(as_text=True)
    assert "Post by a member you blocked — show" in html and "Buy my drill" in html
    login(factories.make_user())
    html = client.get(thread.url).get_data(as_text=True)
    assert "Post by a member you blocked" not in html and "Buy my drill" in html


def test_messages_are_not_searchable(client, login, world):
    login(world.partner)
    html = client.get("/search?q=sale").get_data(as_text=True)
    assert "Still for sale?" not in html


# -- query budgets ---------------------------------------------------------------------------
LIST_BUDGET = 5  # the member, the header, and the count, rows and people of the list
CONVERSATION_BUDGET = 9  # the member, the header, the conversation, people, messages, marking read


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_keeps_its_query_budget(client, login, count_queries, count):
    viewer = factories.make_established_user("viewer")
    people = [factories.make_established_user() for _ in range(3)]
    for n in range(count):
        conversation = writing.start(people[n % 3], f"viewer {people[(n + 1) % 3].username}",
                                     f"Topic {n}", "Hello")
        writing.reply(people[(n + 1) % 3], conversation, "More")
    login(viewer)
    client.get("/messages")
    with count_queries() as queries:
        response = client.get("/messages")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="thread-row') == count
    assert len(queries) <= LIST_BUDGET, queries


@pytest.mark.parametrize("count, people", [(2, 1), (40, 8)])
def test_a_conversation_page_keeps_its_query_budget(client, login, count_queries, count,
                                                    people):
    viewer = factories.make_established_user("viewer")
    others = [factories.make_established_user() for _ in range(people)]
    conversation = writing.start(viewer, " ".join(user.username for user in others),
                                 "Busy", "Hello")
    for n in range(count):
        writing.reply(others[n % people], conversation, f"Message {n}")
    login(viewer)
    with count_queries() as queries:
        response = client.get(f"/messages/{conversation.id}")
    assert response.status_code == 200
    assert len(queries) <= CONVERSATION_BUDGET, queries
    # Read now: the same page again writes nothing.
    with count_queries() as again:
        client.get(f"/messages/{conversation.id}")
    assert len(again) <= CONVERSATION_BUDGET - 2, again


# -- races -------------------------------------------------------------------------------------
def _clients(app, user, count: int):
    clients = []
    for _ in range(count):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = factories.login_cookie(user)
            session["_fresh"] = True
        clients.append(client)
    return clients


def _at_once(clients, send) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def run(client, n: int) -> None:
        barrier.wait(30)
        statuses.append(send(client, n).status_code)

    workers = [threading.Thread(target=run, args=(client, n))
               for n, client in enumerate(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return sorted(statuses)


def test_concurrent_starts_stop_exactly_at_the_hourly_limit(app, world):
    settings.update(factories.make_user(role="admin"), {"conversations_per_hour": 2})
    starter_id = world.starter.id
    # The world's conversation counted as one already.
    statuses = _at_once(_clients(app, world.starter, 4), lambda client, n: client.post(
        "/messages/new", data={"recipients": "partner", "subject": f"At once {n}",
                               "body": "Hello"}))
    assert statuses == [302, 429, 429, 429]
    db.session.expire_all()
    started = db.session.scalar(select(func.count(Conversation.id)).where(
        Conversation.starter_id == starter_id))
    assert started == 2


def test_two_answers_at_once_both_arrive(app, world):
    conversation_id = world.conversation.id
    url = f"/messages/{conversation_id}/reply"
    statuses = _at_once(_clients(app, world.partner, 2) + _clients(app, world.starter, 1),
                        lambda client, n: client.post(url, data={"body": f"Answer {n}"}))
    assert statuses == [302, 302, 302]
    db.session.expire_all()
    conversation = db.session.get(Conversation, conversation_id)
    last = db.session.scalar(select(func.max(Message.id)).where(
        Message.conversation_id == conversation_id))
    assert conversation.message_count == 4
    assert conversation.last_message_id == last
