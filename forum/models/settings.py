"""Site settings administrators can change. Each is declared here with its type and default;
the table only holds the values someone changed, so a new setting needs no data migration."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..common.locales import LANGUAGES
from ..common.timefmt import is_zone
from ..extensions import db
from .base import UTCDateTime, utcnow


class Setting(db.Model):
    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Choice(str):
    """The type of a setting that takes one of a few named values (``SettingSpec.choices``)."""


class TimeZone(str):
    """The type of a setting holding an IANA time zone name, such as ``Europe/Berlin``."""


class Email(str):
    """The type of a setting holding an email address (may be left empty)."""


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: type  # int, bool, str, Choice, TimeZone or Email
    default: Any
    label: str  # this and the other texts people read are lazy: declared at import
    help: str = ""
    minimum: int | None = None  # for int: smallest value; for str: shortest length
    maximum: int | None = None  # for int: largest value; for str: longest length
    group: str = "Other"  # the settings page shows each group as a fieldset
    choices: tuple[tuple[str, str], ...] = ()  # for Choice: (value, label) pairs

    def parse(self, raw: Any) -> Any:
        """The typed value of ``raw`` (form text or a Python value); ValueError says why not."""
        if self.type is bool:
            return self._parse_bool(raw)
        if self.type is int:
            return self._parse_int(raw)
        if self.type is Choice:
            return self._parse_choice(raw)
        if self.type is TimeZone:
            return self._parse_zone(raw)
        if self.type is Email:
            return self._parse_email(raw)
        return self._parse_str(raw)

    def _parse_choice(self, raw: Any) -> str:
        value = str(raw if raw is not None else "").strip()
        if value not in {choice for choice, _label in self.choices}:
            options = ", ".join(str(label) for _value, label in self.choices)
            raise ValueError(_("%(setting)s: choose one of %(options)s.",
                               setting=self.label, options=options))
        return value

    def _parse_zone(self, raw: Any) -> str:
        value = str(raw if raw is not None else "").strip()
        if not is_zone(value):
            raise ValueError(_("%(setting)s: choose a time zone from the list, such as "
                               "Europe/London or UTC.", setting=self.label))
        return value

    def _parse_email(self, raw: Any) -> str:
        value = str(raw if raw is not None else "").strip()
        if not value:
            return ""
        if len(value) > 254:
            raise ValueError(_("%(setting)s: use at most 254 characters.", setting=self.label))
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValueError(_("%(setting)s: enter a valid email address, such as "
                               "team@example.org.", setting=self.label)) from None

    def _parse_bool(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("%(setting)s: choose yes or no.", setting=self.label))

    def _parse_int(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise ValueError(_("%(setting)s: enter a whole number.", setting=self.label))
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            raise ValueError(_("%(setting)s: enter a whole number.",
                               setting=self.label)) from None
        if self.minimum is not None and value < self.minimum:
            raise ValueError(_("%(setting)s: the smallest allowed value is %(minimum)s.",
                               setting=self.label, minimum=self.minimum))
        if self.maximum is not None and value > self.maximum:
            raise ValueError(_("%(setting)s: the largest allowed value is %(maximum)s.",
                               setting=self.label, maximum=self.maximum))
        return value

    def _parse_str(self, raw: Any) -> str:
        value = " ".join(str(raw if raw is not None else "").split())
        if self.minimum is not None and len(value) < self.minimum:
            if self.minimum == 1:
                raise ValueError(_("%(setting)s: this can't be left empty.", setting=self.label))
            raise ValueError(ngettext("%(setting)s: use at least %(num)d character.",
                                      "%(setting)s: use at least %(num)d characters.",
                                      self.minimum, setting=self.label))
        if self.maximum is not None and len(value) > self.maximum:
            raise ValueError(ngettext("%(setting)s: use at most %(num)d character.",
                                      "%(setting)s: use at most %(num)d characters.",
                                      self.maximum, setting=self.label))
        return value


# Add a setting by adding a line; ``stores.settings.get(name)`` then answers for it.
EMAIL_CONFIRMATION_MODES = (
    ("nudge", _l("Remind members until they confirm")),
    ("required", _l("Required before posting")),
)

REGISTRATION_MODES = (
    ("open", _l("Open: anyone may sign up")),
    ("invitation", _l("By invitation: a valid invitation link is needed")),
    ("closed", _l("Closed: nobody may sign up")),
)

SETTINGS: dict[str, SettingSpec] = {
    spec.name: spec
    for spec in (
        SettingSpec(
            "forum_name", str, "Agora", _l("Forum name"),
            _l("Shown in the header, in every page's title and in messages."), minimum=1,
            maximum=60, group=_l("Identity"),
        ),
        SettingSpec(
            # Until an administrator writes their own, the tagline reads in each reader's
            # language.
            "tagline", str, _l("a community and its care, in one place"), _l("Tagline"),
            _l("A short line under the name in the header and footer; may be left empty."),
            maximum=120, group=_l("Identity"),
        ),
        SettingSpec(
            "contact_email", Email, "", _l("Contact address"),
            _l("Where people can write to the team; linked in the footer. May be left empty."),
            group=_l("Identity"),
        ),
        SettingSpec(
            "default_language", Choice, "en", _l("Default language"),
            _l("Guests whose browser asks for none of the forum's languages (or for none at "
               "all) read the forum in this one. Members can choose their own."),
            group=_l("Identity"), choices=tuple(LANGUAGES.items()),
        ),
        SettingSpec(
            "default_timezone", TimeZone, "UTC", _l("Default time zone"),
            _l("Guests see times in this zone, and new members start with it."),
            group=_l("Identity"),
        ),
        SettingSpec(
            "registration_mode", Choice, "open", _l("Registration"),
            _l("Who may create an account."), group=_l("Registration"), choices=REGISTRATION_MODES,
        ),
        SettingSpec(
            "members_may_invite", bool, False, _l("Members may invite"),
            _l("Members past the new-member limits may create invitation links too."),
            group=_l("Registration"),
        ),
        SettingSpec(
            "invitation_days", int, 7, _l("Days an invitation stays valid"),
            _l("The longest an invitation link may stay valid."), minimum=1, maximum=365,
            group=_l("Registration"),
        ),
        SettingSpec(
            "email_confirmation", Choice, "nudge", _l("Email confirmation"),
            _l("New members get a link to confirm their email address. Either a notice "
               "reminds them until they do, or they may not post before it."),
            group=_l("Registration"), choices=EMAIL_CONFIRMATION_MODES,
        ),
        SettingSpec(
            "registrations_per_address_per_hour", int, 3, _l("Sign-ups per address per hour"),
            _l("How many accounts may be created from one internet address in an hour. "
               "0 turns the limit off."), minimum=0, maximum=1000, group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "signup_alarm_per_minute", int, 10, _l("Sign-ups in a minute that raise an alarm"),
            _l("When this many accounts are created within a minute, the administration "
               "overview shows an alarm. 0 turns the alarm off."), minimum=0, maximum=10000,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "registration_needs_approval", bool, False, _l("New accounts need approval"),
            _l("New accounts can't log in until an administrator approves them."),
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "registration_question", str, "", _l("Question for new accounts"),
            _l("Asked on the sign-up form while new accounts need approval, such as “What "
               "brings you here?”. Leave it empty to ask nothing."), maximum=200,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "staff_need_two_factor", bool, False, _l("The team needs two-step login"),
            _l("Moderators and administrators must set up two-step login (a code from an app) "
               "before they can use the moderation panel or the administration."),
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "searches_per_minute", int, 30, _l("Searches per minute"),
            _l("How many searches a member, or a guest's internet address, may run in a "
               "minute. 0 turns the limit off."), minimum=0, maximum=10000,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "api_requests_per_minute", int, 120, _l("API calls per minute"),
            _l("How many calls to the API one access token, or a guest's internet address, "
               "may make in a minute. 0 turns the limit off."), minimum=0, maximum=100000,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "premod_new_member_posts", int, 0, _l("New members' posts to approve"),
            _l("A new member's first posts, up to this many, wait for a moderator's approval "
               "before anyone else sees them. 0 turns it off."), minimum=0, maximum=100,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "member_address_days", int, 90, _l("Days to keep members' addresses"),
            _l("The network addresses members used are kept this long for moderators to look "
               "up, then deleted (by `forum run-timers`)."), minimum=1, maximum=3650,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "spam_undo_days", int, 7, _l("Days to undo a spammer's removal"),
            _l("For this long an administrator can undo “Remove spammer”: posts come back, the "
               "ban and the ban-list entries it added go."), minimum=1, maximum=90,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "spam_address_ban_days", int, 30, _l("Days a removed spammer's addresses stay banned"),
            _l("Addresses change hands, so the bans “Remove spammer” adds on them end after this "
               "many days. 0 keeps them until removed."), minimum=0, maximum=3650,
            group=_l("Spam and abuse"),
        ),
        SettingSpec(
            "report_limit_per_hour", int, 10, _l("Reports per member per hour"),
            _l("How many reports one member may file in an hour."), minimum=1, maximum=1000,
            group=_l("Moderation"),
        ),
        SettingSpec(
            "auto_hide_threshold", int, 3, _l("Reports that hide a post"),
            _l("When this many different members report a post, it is hidden until a moderator "
               "reviews it. 0 turns automatic hiding off."), minimum=0, maximum=1000,
            group=_l("Moderation"),
        ),
        # The community manager's desk (``services.desk``). How long a thread may wait for
        # its first reply is each board's own (``Board.response_hours``).
        SettingSpec(
            "desk_question_hours", int, 72, _l("Hours until an unsolved question reaches the desk"),
            _l("A thread in a question board that has replies but no accepted answer after "
               "this many hours waits on the team's desk."), minimum=1, maximum=8760,
            group=_l("Moderation"),
        ),
        SettingSpec(
            "desk_welcome_days", int, 7, _l("Days a new member's first post stays on the desk"),
            _l("A member's first post waits on the desk for a welcome this many days, unless "
               "someone of the team replied after it. 0 leaves first posts off the desk."),
            minimum=0, maximum=90, group=_l("Moderation"),
        ),
        SettingSpec(
            "desk_welcome_text", str, "", _l("Welcome text"),
            _l("What the reply box holds when a team member welcomes a new member from the "
               "desk; {username} becomes their username and {thread} the thread's title. "
               "Empty: a short welcome in the team member's language."), maximum=2000,
            group=_l("Moderation"),
        ),
        SettingSpec(
            "claim_minutes", int, 30, _l("Minutes a claim on a report holds"),
            _l("Opening a report claims it for the moderator; without an action for this long "
               "the claim lapses and the next moderator to open it takes it over. 0: claims "
               "never lapse."), minimum=0, maximum=10080,
            group=_l("Moderation"),
        ),
        SettingSpec(
            "flood_interval_seconds", int, 15, _l("Seconds between a member's posts"),
            _l("The shortest time between two posts by one member, anywhere on the forum. "
               "Moderators are exempt. 0 turns it off."), minimum=0, maximum=3600,
            group=_l("Posting"),
        ),
        SettingSpec(
            "new_member_interval_seconds", int, 60, _l("Seconds between a new member's posts"),
            _l("The same, for new members (see the next two settings)."), minimum=0, maximum=3600,
            group=_l("Posting"),
        ),
        SettingSpec(
            "new_member_hours", int, 24, _l("New for this many hours"),
            _l("A member counts as new for this long after signing up…"), minimum=0, maximum=720,
            group=_l("Posting"),
        ),
        SettingSpec(
            "new_member_posts", int, 5, _l("…or until this many posts"),
            _l("…or until they have written this many posts, whichever comes first."),
            minimum=0, maximum=1000,
            group=_l("Posting"),
        ),
        SettingSpec(
            "new_member_max_links", int, 2, _l("Links in a new member's post"),
            _l("The most links a new member's post may hold; spam usually starts with links."),
            minimum=0, maximum=100,
            group=_l("Posting"),
        ),
        SettingSpec(
            "mentions_max", int, 10, _l("Members told of mentions in one post"),
            _l("At most this many members @mentioned in one post are notified; the rest are "
               "linked but not told. 0 tells nobody."), minimum=0, maximum=50,
            group=_l("Posting"),
        ),
        SettingSpec(
            "new_member_reactions_per_day", int, 20, _l("Reactions a new member may give a day"),
            _l("How many reactions a new member (see above) may give in 24 hours. 0 means "
               "none until they are no longer new."), minimum=0, maximum=1000,
            group=_l("Posting"),
        ),
        SettingSpec(
            "event_reminder_minutes", int, 60, _l("Minutes before an event to remind"),
            _l("Members who are going get a notification this long before an event starts "
               "(sent by `forum run-timers`). 0 turns reminders off."), minimum=0, maximum=10080,
            group=_l("Events"),
        ),
        # Contests (``services.community.challenge_votes``).
        SettingSpec(
            "challenge_vote_min_account_days", int, 7,
            _l("Days an account must exist to vote in contests"),
            _l("Accounts younger than this may enter a contest but not vote in it, so nobody "
               "wins with accounts made for the vote. 0 lets every member vote."),
            minimum=0, maximum=365, group=_l("Events"),
        ),
        # Warning points: each warning carries points that count for a while; reaching a
        # threshold applies a sanction by itself (``services.moderation.warning_points``).
        SettingSpec(
            "warning_points_max", int, 5, _l("Most points for one warning"),
            _l("A moderator gives each warning 1 point, or up to this many for a serious one."),
            minimum=1, maximum=100, group=_l("Warning points"),
        ),
        SettingSpec(
            "warning_points_days", int, 90, _l("Days warning points count"),
            _l("A warning's points count for this many days after it was given, then expire."),
            minimum=1, maximum=3650, group=_l("Warning points"),
        ),
        SettingSpec(
            "warning_timeout_points", int, 3, _l("Points that bring a timeout"),
            _l("A warning that brings a member's current points to this many or more times them "
               "out automatically. 0 turns this off."), minimum=0, maximum=1000,
            group=_l("Warning points"),
        ),
        SettingSpec(
            "warning_timeout_hours", int, 24, _l("Hours of that timeout"),
            _l("How long the automatic timeout lasts (at most 7 days)."), minimum=1,
            maximum=168, group=_l("Warning points"),
        ),
        SettingSpec(
            "warning_suspension_points", int, 5, _l("Points that bring a suspension"),
            _l("A warning that brings a member's current points to this many or more suspends "
               "them automatically. 0 turns this off."), minimum=0, maximum=1000,
            group=_l("Warning points"),
        ),
        SettingSpec(
            "warning_suspension_days", int, 7, _l("Days of that suspension"),
            _l("How long the automatic suspension lasts."), minimum=1, maximum=3650,
            group=_l("Warning points"),
        ),
        # Notification mail (``services.notification_mail``): members choose per kind of
        # notification; these set when mail goes.
        SettingSpec(
            "mail_at_once_minutes", int, 10, _l("Minutes before an email at once"),
            _l("An email about a notification waits this long, and is not sent when the member "
               "has read the notification on the site meanwhile."), minimum=0, maximum=1440,
            group=_l("Notification mail"),
        ),
        SettingSpec(
            "digest_hour", int, 7, _l("Hour of the digest"),
            _l("The hour (0–23) in each member's own time zone at which digests are sent, "
               "unless the member chose another."), minimum=0, maximum=23,
            group=_l("Notification mail"),
        ),
        SettingSpec(
            "digest_weekday", Choice, "0", _l("Day of the weekly digest"),
            _l("The day members who chose a weekly digest get it."),
            choices=(("0", _l("Monday")), ("1", _l("Tuesday")), ("2", _l("Wednesday")),
                     ("3", _l("Thursday")), ("4", _l("Friday")), ("5", _l("Saturday")),
                     ("6", _l("Sunday"))),
            group=_l("Notification mail"),
        ),
        # Private conversations (``services.conversations``).
        SettingSpec(
            "conversation_max_participants", int, 10, _l("People in a conversation"),
            _l("The most members one private conversation may have, its starter included."),
            minimum=2, maximum=50, group=_l("Conversations"),
        ),
        SettingSpec(
            "conversation_new_member_hours", int, 24,
            _l("Hours before a new member may start conversations"),
            _l("For this long after signing up a member can answer conversations but not "
               "start them. 0 turns this off."), minimum=0, maximum=720,
            group=_l("Conversations"),
        ),
        SettingSpec(
            "conversation_new_member_posts", int, 1,
            _l("Posts before a member may start conversations"),
            _l("A member must have written this many posts before starting a conversation. "
               "0 turns this off."), minimum=0, maximum=1000, group=_l("Conversations"),
        ),
        SettingSpec(
            "conversations_per_hour", int, 5, _l("New conversations per member per hour"),
            _l("How many conversations one member may start in an hour; moderators are "
               "exempt. 0 turns the limit off."), minimum=0, maximum=1000,
            group=_l("Conversations"),
        ),
        # Images members upload (``services.uploads``).
        SettingSpec(
            "upload_max_mb", int, 8, _l("Largest image in MB"),
            _l("The largest image file a member may upload. Larger files are refused before "
               "they are read."), minimum=1, maximum=50, group=_l("Images"),
        ),
        SettingSpec(
            "uploads_per_post", int, 10, _l("Images in one post"),
            _l("The most uploaded images one post or message may show."),
            minimum=0, maximum=100, group=_l("Images"),
        ),
        SettingSpec(
            "uploads_per_day", int, 50, _l("Images a member may upload a day"),
            _l("How many images one member may upload in 24 hours; moderators are exempt."),
            minimum=0, maximum=10000, group=_l("Images"),
        ),
        SettingSpec(
            "new_member_uploads_per_day", int, 5, _l("Images a new member may upload a day"),
            _l("The same, for new members. 0 means none until they are no longer new."),
            minimum=0, maximum=10000, group=_l("Images"),
        ),
        SettingSpec(
            "upload_quota_mb", int, 200, _l("Storage per member in MB"),
            _l("The most space one member's images may take, after re-encoding."),
            minimum=1, maximum=100000, group=_l("Images"),
        ),
    )
}
