"""The announcement form, shared by the administrator and moderator panels. It reads times in
the author's time zone; the announcements service checks every rule again."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, ValidationError

from ...common import timefmt
from ...common.numfmt import lazy_number
from ...common.validators import DataRequired
from ...models import Announcement, Audience, Board, Placement, Severity
from ...services.community.announcements import BODY_MAX, TITLE_MAX, Draft
from ...services.text import multiline

# The names of the severities, as the announcements list shows them.
SEVERITY_CHOICES = [
    (Severity.INFO.value, _l("Info")),
    (Severity.SUCCESS.value, _l("Success")),
    (Severity.WARNING.value, _l("Warning")),
    (Severity.CRITICAL.value, _l("Critical")),
]
AUDIENCE_CHOICES = [
    (Audience.EVERYONE.value, _l("Everyone, guests included")),
    (Audience.MEMBERS.value, _l("Members (logged in)")),
    (Audience.MODERATORS.value, _l("The moderation team")),
]
PLACEMENT_CHOICES = [
    (Placement.BANNER.value, _l("Banner on every page")),
    (Placement.ALL_BOARDS.value, _l("Pinned at the top of every board")),
    (Placement.BOARD.value, _l("Pinned in one board")),
]
SEVERITY_NAMES = dict(SEVERITY_CHOICES)
BOARD_PLACEMENTS = [(Placement.BOARD.value, _l("Pinned in one board"))]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# A thread number, or a thread's address as copied from the browser.
THREAD_REF = re.compile(r"(?:.*/t/)?([0-9]{1,9})(?:-[^/?#]*)?/?(?:[?#].*)?")


def _stripped(value) -> str:
    return "" if value is None else str(value).strip()


def _local_input(label) -> StringField:
    return StringField(label, filters=[_stripped],
                       render_kw={"type": "datetime-local", "step": "60"})


class AnnouncementForm(FlaskForm):
    title = StringField(
        _l("Title"), filters=[_stripped],
        validators=[DataRequired(_l("Give the announcement a title.")),
                    Length(max=TITLE_MAX,
                           message=_l("Keep the title to %(max)s characters or fewer.",
                                      max=TITLE_MAX))],
        render_kw={"maxlength": TITLE_MAX},
    )
    body = TextAreaField(
        _l("Message"), filters=[multiline],
        validators=[Length(max=BODY_MAX,
                           message=_l("Keep the message to %(max)s characters or fewer.",
                                      max=lazy_number(BODY_MAX)))],
    )
    severity = SelectField(
        _l("Severity"), choices=SEVERITY_CHOICES, default=Severity.INFO.value,
        validate_choice=False,
        validators=[AnyOf([c[0] for c in SEVERITY_CHOICES],
                          message=_l(
                              "Choose info, success, warning or critical."))],
    )
    audience = SelectField(
        _l("Shown to"), choices=AUDIENCE_CHOICES, default=Audience.EVERYONE.value,
        validate_choice=False,
        validators=[AnyOf([c[0] for c in AUDIENCE_CHOICES],
                          message=_l("Choose everyone, members or moderators."))],
    )
    placement = SelectField(
        _l("Where"), choices=PLACEMENT_CHOICES, default=Placement.BANNER.value,
        validate_choice=False,
        validators=[AnyOf([c[0] for c in PLACEMENT_CHOICES],
                          message=_l("Choose a banner, every board, or one board."))],
    )
    board = SelectField(_l("Board"), validate_choice=False)
    thread = StringField(_l("Discussion thread (optional)"), filters=[_stripped])
    starts_at = _local_input(_l("Starts"))
    ends_at = _local_input(_l("Ends (optional)"))
    is_dismissible = BooleanField(_l("Readers may dismiss it"), default=True)

    def __init__(self, *args, tz: str = "UTC", boards: list[Board] = (),
                 board_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.board.choices = [("", _("Choose a board…"))] + [(str(b.id), b.title) for b in boards]
        if board_only:
            # The moderator panel announces in boards only; the service refuses the rest.
            self.placement.choices = BOARD_PLACEMENTS
        self.moments: dict[str, datetime | None] = {"starts_at": None, "ends_at": None}
        self.thread_id: int | None = None

    @classmethod
    def of(cls, announcement: Announcement, tz: str, **kwargs) -> AnnouncementForm:
        """The form filled with an announcement, its times on the author's clock."""
        def shown(moment: datetime | None) -> str:
            return timefmt.local(moment, tz).strftime(LOCAL_FORMAT) if moment else ""

        data = {
            "title": announcement.title, "body": announcement.body,
            "severity": announcement.severity, "audience": announcement.audience,
            "placement": announcement.placement,
            "board": str(announcement.board_id or ""),
            "thread": str(announcement.thread_id or ""),
            "starts_at": shown(announcement.starts_at), "ends_at": shown(announcement.ends_at),
            "is_dismissible": announcement.is_dismissible,
        }
        return cls(formdata=None, data=data, tz=tz, **kwargs)

    def _moment(self, field: Field) -> None:
        if not field.data:
            return
        try:
            self.moments[field.name] = timefmt.parse_local(field.data, self.tz)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_starts_at(self, field: Field) -> None:
        self._moment(field)

    def validate_ends_at(self, field: Field) -> None:
        self._moment(field)
        start, end = self.moments["starts_at"], self.moments["ends_at"]
        if start is not None and end is not None and end <= start:
            raise ValidationError(_("The end must be after the start."))

    def validate_board(self, field: Field) -> None:
        value = (field.data or "").strip()
        if self.placement.data != Placement.BOARD:
            return
        if not value:
            raise ValidationError(_("Choose the board to announce in."))
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            raise ValidationError(_("That board doesn't exist (any more)."))

    def validate_thread(self, field: Field) -> None:
        if not field.data:
            return
        match = THREAD_REF.fullmatch(field.data)
        if match is None:
            raise ValidationError(_("Give a thread number, or paste the thread's address."))
        self.thread_id = int(match.group(1))

    def draft(self) -> Draft:
        board = self.board.data if self.placement.data == Placement.BOARD else ""
        return Draft(
            title=self.title.data, body=self.body.data or "",
            severity=self.severity.data, audience=self.audience.data,
            placement=self.placement.data,
            board_id=int(board) if board else None, thread_id=self.thread_id,
            starts_at=self.moments["starts_at"], ends_at=self.moments["ends_at"],
            is_dismissible=bool(self.is_dismissible.data),
        )
