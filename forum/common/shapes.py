"""Declared shapes of JSON: one declaration both checks what a client sent and describes it as
JSON Schema (the dialect of OpenAPI 3.1), so a description can't drift from the checks.

    Reply = Obj("Reply", {"body": Str(max_length=50_000)})
    data = Reply.load(request_json)        # ShapeError listing every field that is wrong
    Reply.schema()                         # {"type": "object", "properties": …}

Query strings are text: ``Obj.load_query`` reads each declared field from it the way its type
says. Output shapes are declared the same way and only described (``schema``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _


class ShapeError(ValueError):
    """What was wrong, as (field path, message) pairs; a path is "" for the whole body."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


_MISSING = object()


class Field:
    type_name = ""

    def __init__(self, *, required: bool = True, nullable: bool = False,
                 description: str = "", default: Any = None) -> None:
        self.required = required
        self.nullable = nullable
        self.description = description
        self.default = default

    def check(self, value: Any, path: str) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise ShapeError([(path, _("This may not be null."))])
        return self._check(value, path)

    def _check(self, value: Any, path: str) -> Any:
        return value

    def from_text(self, text: str, path: str) -> Any:
        """The value of a query parameter, which arrives as text."""
        return self.check(text, path)

    def _own_schema(self) -> dict:
        return {"type": self.type_name}

    def schema(self) -> dict:
        found = self._own_schema()
        if self.nullable:
            if "$ref" in found:
                found = {"anyOf": [found, {"type": "null"}]}
            elif isinstance(found.get("type"), str):
                found["type"] = [found["type"], "null"]
            if "enum" in found:
                found["enum"] = [*found["enum"], None]
        if self.description:
            found["description"] = str(self.description)  # a lazy translation, worded now
        return found


class Str(Field):
    type_name = "string"

    def __init__(self, *, min_length: int = 0, max_length: int | None = None,
                 choices: tuple[str, ...] | None = None, pattern: str | None = None,
                 format: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.min_length = min_length
        self.max_length = max_length
        self.choices = choices
        self.pattern = pattern
        self.format = format

    def _check(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            raise ShapeError([(path, _("This must be text."))])
        if "\x00" in value:
            raise ShapeError([(path, _("Text may not contain NUL characters."))])
        if self.choices is not None and value not in self.choices:
            raise ShapeError([(path, _("Choose one of: %(choices)s.",
                                       choices=", ".join(self.choices)))])
        if len(value) < self.min_length:
            raise ShapeError([(path, _("This can't be empty.") if self.min_length == 1
                               else _("Use at least %(min)s characters.", min=self.min_length))])
        if self.max_length is not None and len(value) > self.max_length:
            raise ShapeError([(path, _("Use at most %(max)s characters.", max=self.max_length))])
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise ShapeError([(path, _("This isn't in the expected form."))])
        return value

    def _own_schema(self) -> dict:
        found: dict = {"type": "string"}
        if self.choices is not None:
            found["enum"] = list(self.choices)
        if self.min_length:
            found["minLength"] = self.min_length
        if self.max_length is not None:
            found["maxLength"] = self.max_length
        if self.pattern is not None:
            found["pattern"] = f"^(?:{self.pattern})$"
        if self.format is not None:
            found["format"] = self.format
        return found


class Moment(Field):
    """A moment as RFC 3339 text with its offset ("2026-12-07T18:00:00Z")."""

    type_name = "string"

    def _check(self, value: Any, path: str) -> Any:
        if isinstance(value, datetime):
            return value
        if not isinstance(value, str) or len(value) > 40:
            raise ShapeError([(path, _("Give a moment such as 2026-12-07T18:00:00Z."))])
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ShapeError([(path, _("Give a moment such as 2026-12-07T18:00:00Z."))]) from None
        if moment.tzinfo is None:
            raise ShapeError([(path, _("Give the moment with its offset from UTC, such as "
                                       "2026-12-07T18:00:00Z."))])
        return moment

    def _own_schema(self) -> dict:
        return {"type": "string", "format": "date-time"}


class Int(Field):
    type_name = "integer"

    def __init__(self, *, minimum: int | None = None, maximum: int | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def _check(self, value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ShapeError([(path, _("This must be a whole number."))])
        if self.minimum is not None and value < self.minimum:
            raise ShapeError([(path, _("The smallest allowed value is %(min)s.",
                                       min=self.minimum))])
        if self.maximum is not None and value > self.maximum:
            raise ShapeError([(path, _("The largest allowed value is %(max)s.",
                                       max=self.maximum))])
        return value

    def from_text(self, text: str, path: str) -> Any:
        if not re.fullmatch(r"-?[0-9]{1,12}", text.strip()):
            raise ShapeError([(path, _("This must be a whole number."))])
        return self.check(int(text), path)

    def _own_schema(self) -> dict:
        found: dict = {"type": "integer"}
        if self.minimum is not None:
            found["minimum"] = self.minimum
        if self.maximum is not None:
            found["maximum"] = self.maximum
        return found


class Bool(Field):
    type_name = "boolean"

    def _check(self, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            raise ShapeError([(path, _("This must be true or false."))])
        return value

    def from_text(self, text: str, path: str) -> Any:
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ShapeError([(path, _("This must be true or false."))])


class ListOf(Field):
    type_name = "array"

    def __init__(self, item: Field, *, min_items: int = 0, max_items: int | None = None,
                 unique: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.item = item
        self.min_items = min_items
        self.max_items = max_items
        self.unique = unique

    def _check(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ShapeError([(path, _("This must be a list."))])
        if len(value) < self.min_items:
            raise ShapeError([(path, _("Give at least %(min)s.", min=self.min_items))])
        if self.max_items is not None and len(value) > self.max_items:
            raise ShapeError([(path, _("Give at most %(max)s.", max=self.max_items))])
        errors: list[tuple[str, str]] = []
        items = []
        for index, item in enumerate(value):
            try:
                items.append(self.item.check(item, f"{path}[{index}]"))
            except ShapeError as error:
                errors.extend(error.errors)
        if errors:
            raise ShapeError(errors)
        if self.unique and len(set(map(repr, items))) != len(items):
            raise ShapeError([(path, _("Give each value once."))])
        return items

    def _own_schema(self) -> dict:
        found: dict = {"type": "array", "items": self.item.schema()}
        if self.min_items:
            found["minItems"] = self.min_items
        if self.max_items is not None:
            found["maxItems"] = self.max_items
        if self.unique:
            found["uniqueItems"] = True
        return found


class Obj(Field):
    """An object with declared fields and no others; ``name`` makes it a named component of
    the description, referred to wherever it is used."""

    type_name = "object"

    def __init__(self, name: str | None, fields: Mapping[str, Field], **kwargs) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.fields = dict(fields)

    def _check(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise ShapeError([(path, _("This must be a JSON object."))])
        errors: list[tuple[str, str]] = []
        for key in value:
            if key not in self.fields:
                errors.append((_join(path, key), _("This field isn't known here.")))
        loaded: dict = {}
        for key, field in self.fields.items():
            raw = value.get(key, _MISSING)
            try:
                loaded[key] = self._one(field, raw, _join(path, key))
            except ShapeError as error:
                errors.extend(error.errors)
        if errors:
            raise ShapeError(errors)
        return loaded

    @staticmethod
    def _one(field: Field, raw: Any, path: str) -> Any:
        if raw is _MISSING:
            if field.required:
                raise ShapeError([(path, _("This field is required."))])
            return field.default
        return field.check(raw, path)

    def load(self, value: Any) -> dict:
        """The checked body; ShapeError lists every problem found."""
        return self.check(value, "")

    def load_query(self, args: Mapping[str, str]) -> dict:
        """The declared parameters of a query string, each read from its text. Parameters
        not declared are left alone (a cache-busting one harms nobody)."""
        errors: list[tuple[str, str]] = []
        loaded: dict = {}
        for key, field in self.fields.items():
            raw = args.get(key)
            try:
                loaded[key] = (self._one(field, _MISSING, key) if raw is None
                               else field.from_text(raw, key))
            except ShapeError as error:
                errors.extend(error.errors)
        if errors:
            raise ShapeError(errors)
        return loaded

    def _own_schema(self) -> dict:
        if self.name is not None:
            return {"$ref": f"#/components/schemas/{self.name}"}
        return self.full_schema()

    def full_schema(self) -> dict:
        found: dict = {
            "type": "object",
            "properties": {key: field.schema() for key, field in self.fields.items()},
            "additionalProperties": False,
        }
        required = [key for key, field in self.fields.items() if field.required]
        if required:
            found["required"] = required
        return found

    def components(self, into: dict[str, dict]) -> None:
        """Collect this object and every named object inside it as ``name → schema``."""
        if self.name is not None and self.name not in into:
            into[self.name] = self.full_schema()
            if self.description:
                into[self.name]["description"] = str(self.description)
        for field in self.fields.values():
            _collect(field, into)


def _collect(field: Field, into: dict[str, dict]) -> None:
    if isinstance(field, Obj):
        field.components(into)
    elif isinstance(field, ListOf):
        _collect(field.item, into)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
