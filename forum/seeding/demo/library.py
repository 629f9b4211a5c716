"""The demo's threads, read from Markdown files: one thread a file.

A thread lives in ``threads/<board-slug>/NN-short-name.md`` (the English set; another
language's set keeps its own ``threads`` folder beside its people). Boards are read in the order
the set's categories list them, and files by name within a board, so the two-digit prefix
sets the order. The order matters: the seed's fixed random seed hands out the remaining
authors and times thread by thread, so moving a file changes the whole demo.

A file, with every field there is (only ``board``, ``author`` and ``title`` are required)::

    board: swap-and-sell
    author: hobbs
    title: [Free] Big box of through-hole parts
    day: 12
    span_days: 3
    pinned: yes
    locked: All gone. Locked at the giver's request.

    The opening post, in Markdown. Everything is free, just pay postage.

    +++ edit
    after: 30

    Text the author appends to the opening post later.

    +++ reply by ziggy
    quote: 0
    quote_text: Everything is free, just pay postage.
    after: 1.5

    A reply, in Markdown. Call me on 555-0142.

    +++ edit by mod
    after: 2
    reason: Contact details are swapped privately.
    replace: Call me on 555-0142.
    with: *[Phone number removed by a moderator.]*

    Text appended to the reply (may be left out when the edit replaces).

    +++ delete by mod
    reason: Why the reply was removed.

    +++ reply by anyone

    A reply whose author the seed picks among the members who fit the board.

The header runs to the first blank line, then the opening post's text. Every later section
starts with a ``+++`` line; its fields follow that line up to a blank line, and its text runs
to the next ``+++`` line (so no line of a text may start with ``+++``; blank lines around a
text are dropped). Each field is one line, ``name: value``, taken as written. What the
fields mean (numbers are plain decimals):

- ``day``: how many days before "now" the thread starts; without it the seed picks a day.
- ``span_days``: roughly how many days the replies stretch over; without it they come at a
  conversation's pace.
- ``pinned``: ``yes`` or ``no``. ``locked``: the reason the moderator ``mod`` gives when
  locking the thread after its last reply.
- ``+++ edit`` right after the opening post: its author appends the text, ``after`` hours
  after posting (soon after without it).
- ``+++ reply by NAME``: a member's username, or ``anyone``. ``quote``: the number of an
  earlier post to quote (0 is the opening post, 1 the first reply), with ``quote_text``, a
  passage of it (its first paragraph without one). ``after``: hours since the previous post
  (a natural gap without it).
- ``+++ edit`` after a reply: ``by NAME`` when someone other than its author edits it;
  ``replace`` and ``with`` swap a passage, the text is appended; ``after``: hours after the
  reply (soon after without it); ``reason``, required when someone else edits, is what the
  moderation log and the author are told.
- ``+++ delete`` after a reply: ``by NAME`` when someone other than its author deletes it;
  ``reason`` is required.

Anything else (an unknown field or name, a missing blank line, a quote of a later post) is
refused with a ``ThreadFileError`` naming the file and the line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable

from .people import CATEGORIES, PEOPLE
from .script import CategorySpec, Person, Reply, ThreadScript

THREADS_DIR = resources.files(__package__) / "threads"
ANYONE = "anyone"

FILE_NAME = re.compile(r"\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.md")
SECTION = re.compile(r"\+\+\+ (?P<kind>reply|edit|delete)(?: by (?P<by>\S+))?")
FIELD = re.compile(r"(?P<name>[a-z_]+): (?P<value>\S.*)")
NUMBER = re.compile(r"\d+(?:\.\d+)?")

FIELDS = {
    "thread": ("board", "author", "title", "day", "span_days", "pinned", "locked"),
    "reply": ("quote", "quote_text", "after"),
    "edit": ("after", "replace", "with", "reason"),
    "delete": ("reason",),
}


class ThreadFileError(ValueError):
    """A thread file that can't be read as written; the message names the file and line."""


@dataclass(frozen=True)
class Cast:
    """The boards and members one language's thread files may name."""

    boards: tuple[str, ...]  # slugs, in the order the categories list them
    usernames: frozenset[str]

    @classmethod
    def of(cls, categories: tuple[CategorySpec, ...], people: tuple[Person, ...]) -> Cast:
        return cls(tuple(board.slug for category in categories for board in category.boards),
                   frozenset(person.username for person in people))


ENGLISH = Cast.of(CATEGORIES, PEOPLE)
BOARDS = ENGLISH.boards
USERNAMES = ENGLISH.usernames


@dataclass
class _Section:
    kind: str  # thread (the header and opening post), reply, edit or delete
    by: str | None
    line: int  # where the section starts
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)  # name: (value, line)
    text: str = ""


@dataclass
class _Post:
    section: _Section
    edit: _Section | None = None
    delete: _Section | None = None


def load(root: Traversable = THREADS_DIR, cast: Cast = ENGLISH) -> tuple[ThreadScript, ...]:
    """Every thread under ``root``, board by board, each board's files in name order."""
    folders = {entry.name: entry for entry in root.iterdir()}
    strays = sorted(set(folders) - set(cast.boards))
    if strays:
        raise ThreadFileError(
            f"{folders[strays[0]]}: not a board of the demo; the folders are named after the "
            f"boards in people.py ({', '.join(cast.boards)})"
        )
    scripts: list[ThreadScript] = []
    for slug in cast.boards:
        if slug not in folders:
            continue
        for entry in sorted(folders[slug].iterdir(), key=lambda entry: entry.name):
            if not FILE_NAME.fullmatch(entry.name):
                raise ThreadFileError(
                    f"{entry}: thread files are named NN-short-name.md (two digits for the "
                    "order, then lowercase words joined by hyphens)"
                )
            scripts.append(read(entry, board=slug, cast=cast))
    return tuple(scripts)


def read(entry: Traversable, board: str | None = None, cast: Cast = ENGLISH) -> ThreadScript:
    """One thread file; ``board``, when given, is the board its folder says it belongs to."""
    try:
        text = entry.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ThreadFileError(f"{entry}: not UTF-8 text ({error.reason})") from None
    return parse(text, str(entry), board=board, cast=cast)


def parse(text: str, source: str, board: str | None = None,
          cast: Cast = ENGLISH) -> ThreadScript:
    """A thread from a file's text; ``source`` names the file in error messages."""
    return _Parser(source, cast).thread(text, board)


class _Parser:
    def __init__(self, source: str, cast: Cast) -> None:
        self.source = source
        self.cast = cast

    def error(self, line: int, message: str) -> ThreadFileError:
        return ThreadFileError(f"{self.source}, line {line}: {message}")

    # -- lines into sections ----------------------------------------------------------------
    def sections(self, text: str) -> list[_Section]:
        lines = text.split("\n")
        for number, line in enumerate(lines, start=1):
            if "\r" in line:
                raise self.error(number, "a carriage return; save the file with \\n line ends")
        if not lines[0].strip():
            raise self.error(1, "a thread file starts with its header, e.g. 'board: servers'")
        sections = [_Section("thread", None, 1)]
        index = self.fields(lines, 0, sections[0])
        body: list[str] = []
        while index < len(lines):
            line = lines[index]
            if not line.startswith("+++"):
                body.append(line)
                index += 1
                continue
            sections[-1].text = _trimmed(body)
            body = []
            match = SECTION.fullmatch(line)
            if not match:
                raise self.error(
                    index + 1,
                    f"{line!r} is not a section line: write '+++ reply by NAME', "
                    "'+++ edit' or '+++ delete', the last two optionally with 'by NAME'",
                )
            section = _Section(match["kind"], match["by"], index + 1)
            sections.append(section)
            index = self.fields(lines, index + 1, section)
        sections[-1].text = _trimmed(body)
        return sections

    def fields(self, lines: list[str], index: int, section: _Section) -> int:
        """Read ``name: value`` lines up to a blank line; returns the index after them."""
        allowed = FIELDS[section.kind]
        while index < len(lines) and lines[index].strip():
            number = index + 1
            match = FIELD.fullmatch(lines[index])
            if not match:
                raise self.error(
                    number,
                    f"expected a field ('name: value') in {_where(section.kind)}, or a blank "
                    f"line before the text; got {lines[index]!r}",
                )
            name, value = match["name"], match["value"].strip()
            if name not in allowed:
                raise self.error(
                    number,
                    f"unknown field {name!r} in {_where(section.kind)}; "
                    f"known: {', '.join(allowed)}",
                )
            if name in section.fields:
                raise self.error(
                    number, f"{name!r} given twice (first on line {section.fields[name][1]})"
                )
            section.fields[name] = (value, number)
            index += 1
        return index

    # -- sections into a thread -------------------------------------------------------------
    def thread(self, text: str, board: str | None) -> ThreadScript:
        head, *rest = self.sections(text)
        for name in ("board", "author", "title"):
            if name not in head.fields:
                raise self.error(head.line, f"the header has no {name!r}")
        slug, slug_line = head.fields["board"]
        if slug not in self.cast.boards:
            raise self.error(slug_line,
                             f"no board {slug!r}; the boards: {', '.join(self.cast.boards)}")
        if board is not None and slug != board:
            raise self.error(slug_line, f"board {slug!r}, but the file is in the {board!r} folder")
        if not head.text:
            raise self.error(head.line, "the opening post has no text")
        author = self.person(*head.fields["author"])
        opening_edit: _Section | None = None
        posts: list[_Post] = []
        for section in rest:
            if section.kind == "reply":
                posts.append(_Post(section))
            elif section.kind == "edit" and not posts:
                if opening_edit is not None:
                    raise self.error(section.line, "the opening post already has an edit "
                                                   f"(line {opening_edit.line})")
                opening_edit = section
            elif not posts:
                raise self.error(section.line, "only replies can be deleted, not the opening "
                                               "post")
            else:
                post = posts[-1]
                earlier = post.edit if section.kind == "edit" else post.delete
                if earlier is not None:
                    what = "an edit" if section.kind == "edit" else "a delete"
                    raise self.error(section.line, f"this reply already has {what} "
                                                   f"(line {earlier.line})")
                if section.kind == "edit":
                    post.edit = section
                else:
                    post.delete = section
        edit, edit_after = self.opening_edit(opening_edit)
        sources = [head.text]
        replies: list[Reply] = []
        for number, post in enumerate(posts, start=1):
            replies.append(self.reply(post, number, sources))
            sources.append(post.section.text)
        return ThreadScript(
            board=slug,
            author=author,
            title=head.fields["title"][0],
            body=head.text,
            replies=tuple(replies),
            day=self.number(head, "day"),
            span_days=self.number(head, "span_days"),
            pinned=self.flag(head, "pinned"),
            locked=self.value(head, "locked"),
            edit=edit,
            edit_after=edit_after,
        )

    def opening_edit(self, section: _Section | None) -> tuple[str | None, float | None]:
        if section is None:
            return None, None
        if section.by is not None:
            raise self.error(section.line, "the opening post is edited by its author; "
                                           "'by NAME' is for replies")
        for name in ("replace", "with"):
            if name in section.fields:
                raise self.error(section.fields[name][1],
                                 "the opening post's edit appends text; 'replace' is for replies")
        if not section.text:
            raise self.error(section.line, "the opening post's edit has no text to append")
        return section.text, self.number(section, "after")

    def reply(self, post: _Post, number: int, sources: list[str]) -> Reply:
        section = post.section
        if section.by is None:
            raise self.error(section.line, "say who writes the reply: '+++ reply by NAME', or "
                                           f"'+++ reply by {ANYONE}' to let the seed pick")
        author = None if section.by == ANYONE else self.person(section.by, section.line)
        if not section.text:
            raise self.error(section.line, f"reply {number} has no text")
        quote = self.number(section, "quote")
        quote_text = self.value(section, "quote_text")
        if quote is not None:
            line = section.fields["quote"][1]
            if not isinstance(quote, int):
                raise self.error(line, f"'quote' is a post's number such as 2, not {quote}")
            if quote >= number:
                raise self.error(line, f"quote {quote} is not an earlier post: this is reply "
                                       f"{number}, and 0 is the opening post")
            if quote_text is not None and _words(quote_text) not in _words(sources[quote]):
                raise self.error(section.fields["quote_text"][1],
                                 f"the passage is not in post {quote}")
        elif quote_text is not None:
            raise self.error(section.fields["quote_text"][1],
                             "'quote_text' needs 'quote', the number of the post it is from")
        edit = replace = edited_by = edit_after = edit_reason = None
        if post.edit is not None:
            edit, replace, edited_by, edit_after, edit_reason = self.reply_edit(
                post.edit, section.text, author)
        deleted = deleted_by = None
        if post.delete is not None:
            deleted, deleted_by = self.reply_delete(post.delete)
        return Reply(
            author=author,
            body=section.text,
            quote=quote,
            quote_text=quote_text,
            edit=edit,
            replace=replace,
            edited_by=edited_by,
            deleted=deleted,
            deleted_by=deleted_by,
            after=self.number(section, "after"),
            edit_after=edit_after,
            edit_reason=edit_reason,
        )

    def reply_edit(self, section: _Section, body: str, author: str | None) -> tuple[
        str | None, tuple[str, str] | None, str | None, int | float | None, str | None
    ]:
        edited_by = None if section.by is None else self.person(section.by, section.line)
        reason = self.value(section, "reason")
        if edited_by is not None and edited_by != author and reason is None:
            raise self.error(section.line, "an edit of someone else's post needs "
                                           "'reason: …', as a moderator gives one")
        old, new = self.value(section, "replace"), self.value(section, "with")
        replace = None
        if (old is None) != (new is None):
            missing = "with" if new is None else "replace"
            raise self.error(section.line, f"'replace' and 'with' go together; {missing!r} is "
                                           "missing")
        if old is not None and new is not None:
            if old not in body:
                raise self.error(section.fields["replace"][1], "the reply has no such passage")
            replace = (old, new)
        if replace is None and not section.text:
            raise self.error(section.line, "the edit changes nothing: give text to append, or "
                                           "'replace' and 'with'")
        return (section.text or None, replace, edited_by, self.number(section, "after"),
                reason)

    def reply_delete(self, section: _Section) -> tuple[str, str | None]:
        if section.text:
            raise self.error(section.line, "a delete has no text; the reason goes in "
                                           "'reason: …'")
        reason = self.value(section, "reason")
        if reason is None:
            raise self.error(section.line, "a delete needs 'reason: …'")
        deleted_by = None if section.by is None else self.person(section.by, section.line)
        return reason, deleted_by

    # -- values -----------------------------------------------------------------------------
    def person(self, name: str, line: int) -> str:
        if name not in self.cast.usernames:
            raise self.error(line, f"no member {name!r} in people.py")
        return name

    def value(self, section: _Section, name: str) -> str | None:
        value = section.fields.get(name)
        return None if value is None else value[0]

    def number(self, section: _Section, name: str) -> int | float | None:
        if name not in section.fields:
            return None
        value, line = section.fields[name]
        if not NUMBER.fullmatch(value):
            raise self.error(line, f"{name!r} is a number such as 12 or 0.5, not {value!r}")
        return float(value) if "." in value else int(value)

    def flag(self, section: _Section, name: str) -> bool:
        if name not in section.fields:
            return False
        value, line = section.fields[name]
        if value not in {"yes", "no"}:
            raise self.error(line, f"{name!r} is yes or no, not {value!r}")
        return value == "yes"


def _trimmed(lines: list[str]) -> str:
    """A section's text without the blank lines around it."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _words(text: str) -> str:
    # A quoted passage is written on one line; the post may wrap it over several.
    return " ".join(text.split())


def _where(kind: str) -> str:
    return "the header" if kind == "thread" else f"a '+++ {kind}' section"
