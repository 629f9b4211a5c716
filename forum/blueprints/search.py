"""The search page: parse the query string, ask the search service, render."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SearchField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..common import timefmt
from ..policy import policy
from ..services.search import query, throttle
from ..services.search.index import QUERY_MAX

bp = Blueprint("search", __name__)



def _optional_int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(_("Choose a board from the list.")) from None


class IsoDateField(StringField):
    """YYYY-MM-DD text (a native date picker sends exactly that), with a message people read."""

    def process_formdata(self, valuelist):
        self.data = None
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        if not self.raw_text:
            return
        self.data = timefmt.parse_date(self.raw_text)

    def _value(self):
        return getattr(self, "raw_text", "") or (self.data.isoformat() if self.data else "")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField(_l("Search for"), validators=[Optional(), Length(max=QUERY_MAX)])
    board = SelectField(_l("Board"), choices=[], coerce=_optional_int, validate_choice=False)
    author = StringField(_l("Author"), validators=[Optional(), Length(max=32)])
    date_from = IsoDateField(_l("From"))
    date_to = IsoDateField(_l("To"))
    thread = IntegerField(_l("Thread"), validators=[Optional(), NumberRange(min=1)])
    sort = SelectField(_l("Sort by"),
                       choices=[("relevance", _l("Relevance")), ("newest", _l("Newest first"))],
                       default="relevance")
    solved = SelectField(_l("Questions"),
                         choices=[("", _l("Solved or not")),
                                  ("solved", _l("Only solved questions")),
                                  ("unsolved", _l("Only unsolved questions"))],
                         default="")
    hidden = BooleanField(_l("Include deleted and hidden posts"))
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1)], default=1)

    def validate_date_to(self, field):
        if field.data and self.date_from.data and self.date_from.data > field.data:
            raise ValidationError(_("The “to” date must not be before the “from” date."))

    def params(self) -> query.SearchParams:
        return query.SearchParams(
            q=(self.q.data or "").strip(),
            board_id=self.board.data,
            author=(self.author.data or "").strip(),
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            thread_id=self.thread.data,
            sort=self.sort.data,
            page=self.page.data or 1,
            include_hidden=bool(self.hidden.data),
            solved=self.solved.data or "",
        )


@bp.get("/search")
def search():
    form = SearchForm(formdata=request.args)
    if request.args.get("q", "").strip():  # the empty form costs nothing to show
        throttle.admit(current_user, request.remote_addr)
    valid = form.validate()
    params = form.params() if valid else query.SearchParams(
        thread_id=form.thread.data if not form.thread.errors else None
    )
    outcome = query.search(current_user, params, policy=policy())
    form.board.choices = [("", _("All boards"))] + [(b.id, b.title) for b in outcome.boards]
    status = 400 if (not valid or outcome.error) else 200
    return render_template("search/search.html", form=form, outcome=outcome,
                           page_url=_page_url), status


def _page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = page if page > 1 else None
    return url_for("search.search", **args)
