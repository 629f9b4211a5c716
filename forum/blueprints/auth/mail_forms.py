"""The form of a member's notification mail choices: one row of three choices per topic (the
topics come from the service, so the fields are made per request), the digest and its hour."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired

from ...services.notification_mail.preferences import MailChoices
from ...services.notification_mail.topics import Delivery, Frequency, Topic

DELIVERIES = [(Delivery.APP.value, _l("Only on the site")),
              (Delivery.NOW.value, _l("Email at once")),
              (Delivery.DIGEST.value, _l("In the digest"))]
FREQUENCIES = [(Frequency.DAILY.value, _l("Daily")), (Frequency.WEEKLY.value, _l("Weekly")),
               (Frequency.OFF.value, _l("No digest"))]
FORUM_HOUR = ""


class _OneOf:
    """A field that takes one value: the page sends one, so several are no answer at all."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) > 1:
            self.data = None
            raise ValueError(_l("Choose one answer for each question."))
        super().process_formdata(valuelist)


class OneRadioField(_OneOf, RadioField):
    pass


class OneSelectField(_OneOf, SelectField):
    pass


def _field_name(topic: Topic) -> str:
    return f"topic_{topic.name}"


class MailChoicesForm(FlaskForm):
    digest = OneRadioField(_l("Digest"), choices=FREQUENCIES,
                        validators=[InputRequired(_l("Choose how often the digest comes."))])
    hour = OneSelectField(_l("Digest hour"))

    def topic_field(self, topic: Topic) -> RadioField:
        return self[_field_name(topic)]

    def chosen(self, topics: list[Topic]) -> MailChoices:
        hour = self.hour.data
        return MailChoices(
            {topic.name: Delivery(self.topic_field(topic).data) for topic in topics},
            Frequency(self.digest.data), None if hour == FORUM_HOUR else int(hour))


def build(topics: list[Topic], current: MailChoices, forum_hour: int) -> MailChoicesForm:
    """The form for ``topics``, showing ``current`` until the member sends theirs."""
    fields = {
        _field_name(topic): OneRadioField(
            topic.label, choices=DELIVERIES,
            validators=[InputRequired(_l("Choose how you hear about “%(topic)s”.",
                                         topic=topic.label))])
        for topic in topics
    }
    form_class = type("MailChoicesFormFor", (MailChoicesForm,), fields)
    form = form_class(
        digest=current.digest.value,
        hour=FORUM_HOUR if current.hour is None else str(current.hour),
        **{_field_name(topic): current.topics[topic.name].value for topic in topics})
    form.hour.choices = [(FORUM_HOUR, _l("The forum's hour (%(hour)s)",
                                         hour=f"{forum_hour:02d}:00"))] + [
        (str(hour), f"{hour:02d}:00") for hour in range(24)]
    return form
