"""Forms for events. The service judges every value (and says which field is wrong); the forms
only carry text and offer the choices."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from ...models import EVENT_KIND_LABELS, Board, Event
from ...services.community import events
from ..profiles import zone_choices


class EventForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": events.TITLE_MAX})
    kind = SelectField(_l("Kind"), choices=[(kind.value, label) for kind, label in
                                        EVENT_KIND_LABELS.items()], validate_choice=False)
    board = SelectField(_l("Discussion board"), validate_choice=False)
    description = TextAreaField(_l("Description"),
                                render_kw={"maxlength": events.DESCRIPTION_MAX})
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    starts_at = StringField(_l("Starts"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Ends"), render_kw={"type": "datetime-local"})
    location = StringField(_l("Location"), render_kw={"maxlength": events.LOCATION_MAX})
    online_url = StringField(_l("Online link"), render_kw={"maxlength": events.URL_MAX,
                                                        "inputmode": "url"})
    capacity = StringField(_l("Capacity"), render_kw={"inputmode": "numeric"})
    rsvp_deadline = StringField(_l("Answer by"), render_kw={"type": "datetime-local"})

    def __init__(self, *args, boards: list[Board] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()
        self.board.choices = [(str(board.id), board.title) for board in boards or []]

    @classmethod
    def for_event(cls, event: Event) -> EventForm:
        tz = event.timezone
        return cls(data={
            "title": event.title, "kind": event.kind, "description": event.description,
            "timezone": tz, "starts_at": events.local_input(event.starts_at, tz),
            "ends_at": events.local_input(event.ends_at, tz), "location": event.location or "",
            "online_url": event.online_url or "",
            "capacity": "" if event.capacity is None else str(event.capacity),
            "rsvp_deadline": events.local_input(event.rsvp_deadline, tz),
        })

    def to_data(self) -> events.EventData:
        return events.EventData(
            title=self.title.data or "", description=self.description.data or "",
            kind=self.kind.data or "", starts_at=self.starts_at.data or "",
            ends_at=self.ends_at.data or "", timezone=self.timezone.data or "",
            location=self.location.data or "", online_url=self.online_url.data or "",
            capacity=self.capacity.data or "", rsvp_deadline=self.rsvp_deadline.data or "",
        )


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Why is it cancelled?"), render_kw={"maxlength": events.REASON_MAX})


class RsvpForm(FlaskForm):
    """Only the CSRF token: the answer is the button pressed."""
