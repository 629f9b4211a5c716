"""The webhook form. The service checks every rule again (and resolves the address), so its
refusals come back under the field they concern."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from ...models import CHOOSABLE_EVENTS
from ...services.webhooks.addresses import URL_MAX
from ...services.webhooks.hooks import DESCRIPTION_MAX, HookData


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class WebhookForm(FlaskForm):
    url = StringField(_l("Address (URL)"), filters=[_stripped],
                      render_kw={"maxlength": URL_MAX, "inputmode": "url",
                                 "placeholder": "https://"})
    description = StringField(_l("Description (optional)"), filters=[_stripped],
                              render_kw={"maxlength": DESCRIPTION_MAX})
    events = SelectMultipleField(
        _l("Events"), choices=[(str(event), event.label) for event in CHOOSABLE_EVENTS],
        validate_choice=False, widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    is_staff_only = BooleanField(_l("Staff only: may receive what only the team can read"))

    def data_for_service(self) -> HookData:
        return HookData(url=self.url.data or "", description=self.description.data or "",
                        events=list(self.events.data or []),
                        is_staff_only=bool(self.is_staff_only.data))
