"""The German catalog is complete and well-formed: every text the code and templates mark for
translation has a German version, with the same placeholders. Extracted afresh from the source,
so a text wrapped today without its translation fails here, not in front of a reader."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "_l": None, "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "lazy_pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted() -> set:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add((context, message if isinstance(message, str) else tuple(message)))
    return found


@pytest.fixture(scope="module")
def german():
    with open(ROOT / "forum/translations/de/LC_MESSAGES/messages.po", "rb") as source:
        return {(message.context, message.id): message
                for message in read_po(source, locale="de") if message.id}


def test_every_marked_text_has_a_german_translation(german):
    missing = []
    for msgid in sorted(_extracted(), key=str):
        message = german.get(msgid)
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)
                   ) if message else ()
        if not message or not all(strings):
            missing.append(msgid)
    assert missing == [], f"{len(missing)} texts lack German (run `make messages`): {missing[:20]}"


def test_translations_keep_their_placeholders(german):
    wrong = []
    for (_context, msgid), message in german.items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            # "num" may be left out of a singular ("one post" reads better than "1 post").
            if string and set(PLACEHOLDER.findall(string)) - {"num"} != expected - {"num"}:
                wrong.append((msgid, string))
    assert wrong == []


def test_no_translation_is_left_fuzzy(german):
    assert [msgid for msgid, message in german.items() if message.fuzzy] == []
