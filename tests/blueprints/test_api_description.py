"""The API's description: every route is in it, as declared, and its page renders."""
from __future__ import annotations

import re

from tests.api_kit import API, call


def test_every_api_route_is_described(app, client):
    description = call(client, "GET", "/openapi.json").json
    assert description["openapi"] == "3.1.0"
    described = {(method.upper(), path) for path, item in description["paths"].items()
                 for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(API))
            routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == described


def test_the_description_refers_only_to_what_it_defines(client):
    description = call(client, "GET", "/openapi.json").json
    text = str(description)
    defined = set(description["components"]["schemas"]) | {
        f"responses/{name}" for name in description["components"]["responses"]}
    for ref in re.findall(r"#/components/(schemas/\w+|responses/\w+)", text):
        kind, name = ref.split("/")
        assert (name in defined) if kind == "schemas" else (ref in defined), ref


def test_bodies_forbid_unknown_fields_in_the_description(client):
    schemas = call(client, "GET", "/openapi.json").json["components"]["schemas"]
    assert schemas["NewPost"]["additionalProperties"] is False
    assert schemas["NewPost"]["required"] == ["body"]


def test_the_description_as_a_page(client):
    response = call(client, "GET", "/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/api/v1/boards/{slug}/threads" in page
    assert 'id="schema-Thread"' in page
    assert "<script" not in page.split("</header>", 1)[-1]
