"""Member profiles, the profile editor, the member list and generated avatars."""
from __future__ import annotations

from functools import lru_cache

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh as refresh_language
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from .. import avatars
from ..common import markup, timefmt
from ..errors import NotFound, Refused
from ..i18n import LANGUAGES
from ..models import utcnow
from ..policy import policy
from ..services.accounts import profiles
from ..services.accounts.profiles import ProfileData, ProfileInvalid
from ..services.moderation import warning_points
from ..web import current_actor
from .args import page_arg

bp = Blueprint("profiles", __name__)

# Avatars depend on the name in the URL alone, so caches may keep them; the ETag covers redesigns.
AVATAR_MAX_AGE = 7 * 24 * 60 * 60

SORT_LABELS = {"posts": _l("Most posts"), "name": _l("Name"), "joined": _l("Newest")}


@lru_cache(maxsize=1)
def zone_choices() -> dict[str, list[tuple[str, str]]]:
    """IANA zones grouped by region for <optgroup>s: "America" → [("America/New_York", …)]."""
    groups: dict[str, list[tuple[str, str]]] = {"UTC": [("UTC", "UTC")]}
    for name in timefmt.zone_names():
        if name == "UTC":
            continue
        region, _sep, place = name.partition("/")
        groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " / ")))
    return groups


class ProfileForm(FlaskForm):
    # Lengths and formats are the service's to judge; maxlength only spares typing in vain.
    display_name = StringField(
        _l("Display name"), render_kw={"maxlength": profiles.DISPLAY_NAME_MAX}
    )
    bio = TextAreaField(_l("About you"), render_kw={"maxlength": profiles.BIO_MAX})
    location = StringField(_l("Location"), render_kw={"maxlength": profiles.LOCATION_MAX})
    website = StringField(
        _l("Website"), render_kw={"maxlength": profiles.WEBSITE_MAX, "inputmode": "url"}
    )
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    # Checked by the service, which answers an unknown code with a message.
    language = SelectField(_l("Language"), validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()
        self.language.choices = [("", _("Follow my browser")), *LANGUAGES.items()]
        if self.language.data is None:  # no setting: following the browser
            self.language.data = ""

    def to_data(self) -> ProfileData:
        return ProfileData(
            display_name=self.display_name.data or "",
            bio=self.bio.data or "",
            location=self.location.data or "",
            website=self.website.data or "",
            timezone=self.timezone.data or "",
            language=self.language.data or None,
        )


def _renamed(username: str, endpoint: str):
    """A 301 to the member's current name when ``username`` is one they had before."""
    user = profiles.find_renamed(username)
    if user is None:
        raise NotFound(_("There is no member with that name."))
    return redirect(url_for(endpoint, username=user.username), 301)


@bp.get("/u/<username>")
def show(username: str):
    try:
        user = profiles.find_member(username)
    except NotFound:
        return _renamed(username, ".show")
    if not user.is_admitted and not policy().is_admin:
        # Not a member yet (or turned away): no public page; administrators see who applied.
        raise NotFound(_("There is no member with that name."))
    if user.username != username:
        return redirect(url_for(".show", username=user.username), 301)
    activity = profiles.recent_activity(policy(), user)
    return render_template(
        "profiles/show.html", user=user, activity=activity, excerpt=markup.excerpt
    )


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit():
    user = current_actor()
    points = warning_points.current(user, utcnow())
    if request.method == "GET":
        return render_template("profiles/edit.html", form=ProfileForm(obj=user), user=user,
                               points=points)
    # A submission is the whole profile: a field left out is cleared, never filled from the row.
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            profiles.update_profile(user, user, form.to_data())
        except ProfileInvalid as error:
            for name, message in error.errors.items():
                getattr(form, name).errors.append(message)
        except Refused as refused:
            if refused.login_required:
                raise
            # A timeout: the member keeps what they typed, with the reason above it.
            form.form_errors.append(refused.reason)
            return render_template("profiles/edit.html", form=form, user=user,
                                   points=points), refused.status
        else:
            # The page after this one speaks the language just chosen; so does this message.
            refresh_language()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for(".show", username=user.username))
    return render_template("profiles/edit.html", form=form, user=user, points=points), 400


@bp.get("/members")
def members():
    result = profiles.list_members(
        request.args.get("q", ""),
        request.args.get("sort") or profiles.DEFAULT_SORT,
        page_arg(),
        current_app.config["MEMBERS_PER_PAGE"],
    )
    return render_template(
        "profiles/members.html", result=result, sorts=SORT_LABELS,
        default_sort=profiles.DEFAULT_SORT,
    )


@bp.get("/u/<username>/avatar.svg")
def avatar(username: str):
    if not profiles.is_username(username):
        raise NotFound(_("There is no avatar for that name."))
    # Drawn from the address alone, without a query: pictures are the most asked-for address
    # of all. A renamed member's pages link the new address; an old one still draws. The
    # initials of the display name ride along (``web.avatar_src``), so a new name is a new
    # address.
    letters = avatars.clean_initials(request.args.get("i"))
    response = make_response(avatars.render_svg(username, letters=letters))
    response.mimetype = "image/svg+xml"
    response.cache_control.public = True
    response.cache_control.max_age = AVATAR_MAX_AGE
    # The picture holds no script or outside resource; say so to browsers opening it directly.
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.set_etag(avatars.etag(username, letters))
    return response.make_conditional(request)
