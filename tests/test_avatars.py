"""The generated avatar: deterministic, well-formed, escaped, readable."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from forum import avatars

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("username, expected", [
    ("alice", "A"),
    ("bob_smith", "BS"),
    ("mary-jane.watson", "MJ"),
    ("JohnDoe", "JD"),
    ("x.y", "XY"),
    ("42abc", "4"),
    ("_lead", "L"),
    ("___", "_"),
])
def test_initials(username, expected):
    assert avatars.initials(username) == expected


def test_same_name_same_picture():
    assert avatars.render_svg("alice") == avatars.render_svg("alice")
    assert avatars.etag("alice") == avatars.etag("alice")


def test_colour_ignores_case_but_etag_does_not():
    assert avatars.colours("Alice") == avatars.colours("alice")
    assert avatars.etag("Alice") != avatars.etag("alice")


def test_names_spread_over_the_palette():
    used = {avatars.colours(f"user{n}") for n in range(200)}
    assert len(used) >= len(avatars.PALETTE) - 2


def _rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))


@pytest.mark.parametrize("pair", avatars.PALETTE)
def test_white_initials_meet_wcag_aa(pair):
    white = (1.0, 1.0, 1.0)
    for colour in pair:
        assert avatars.contrast(_rgb(colour), white) >= avatars.MIN_CONTRAST >= 4.5


def test_contrast_reference_values():
    assert avatars.contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21)
    grey = _rgb("#777777")
    assert avatars.contrast(grey, (1, 1, 1)) == pytest.approx(4.48, abs=0.01)


def test_svg_is_well_formed_and_shows_initials():
    root = ET.fromstring(avatars.render_svg("bob_smith"))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 96 96"
    assert root.find(f"{SVG}text").text == "BS"
    assert root.find(f"{SVG}title").text == "bob_smith"
    stops = [s.get("stop-color") for s in root.iter(f"{SVG}stop")]
    assert tuple(stops) == avatars.colours("bob_smith")


@pytest.mark.parametrize("name", ['<script>&"\'', "a&b", "]]>", "x\"onload=\"alert(1)"])
def test_svg_escapes_anything_it_is_given(name):
    svg = avatars.render_svg(name)
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == name
    assert root.get("aria-label") == name
    assert "<script" not in svg
    assert root.get("onload") is None
