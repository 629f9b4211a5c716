"""Watched words and link domains: the list, adding, changing an entry's action, removing."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField

from ...errors import Refused
from ...policy import policy
from ...services.content import watched_words
from ...web import current_actor
from . import bp

ACTION_CHOICES = [
    ("block", _l("Block: the post is refused")),
    ("review", _l("Review: the post waits for approval")),
    ("replace", _l("Replace: the word is censored")),
    ("flag", _l("Flag: posted, and put in the report queue")),
]


class WordForm(FlaskForm):
    pattern = StringField(_l("Word, phrase or domain"))
    is_domain = BooleanField(_l("This is a link domain (example.com; its subdomains count too)"))
    action = SelectField(_l("Action"), choices=ACTION_CHOICES)
    replacement = StringField(_l("Replacement (for “Replace”; empty: ***)"))


class EntryForm(FlaskForm):
    action = SelectField(_l("Action"), choices=ACTION_CHOICES)
    replacement = StringField(_l("Replacement"))


def _render(form: WordForm, status: int = 200):
    viewer = policy()
    entries = watched_words.entries(viewer)
    forms = {entry.id: EntryForm(formdata=None, prefix=f"e{entry.id}", action=entry.action,
                                 replacement=entry.replacement or "") for entry in entries}
    return render_template("admin/words.html", entries=entries, form=form, forms=forms,
                           tab="words"), status


@bp.get("/words")
def words():
    return _render(WordForm(formdata=None))


@bp.post("/words")
def add_word():
    watched_words.entries(policy())  # administrators only, before the form is read
    form = WordForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    try:
        watched_words.add(current_actor(), form.pattern.data, form.action.data,
                          is_domain=form.is_domain.data, replacement=form.replacement.data)
    except Refused as refused:
        if refused.status not in (400, 409):
            raise
        form.pattern.errors = [*form.pattern.errors, refused.reason]
        return _render(form, refused.status)
    flash(_("The entry is on the list."), "success")
    return redirect(url_for(".words"))


@bp.post("/words/<int:entry_id>")
def update_word(entry_id: int):
    entry = watched_words.get(policy(), entry_id)
    form = EntryForm(prefix=f"e{entry.id}")
    if not form.validate_on_submit():
        raise Refused(_("Please choose an action from the list."), status=400)
    watched_words.update(current_actor(), entry, form.action.data, form.replacement.data)
    flash(_("The entry is changed."), "success")
    return redirect(url_for(".words"))


@bp.post("/words/<int:entry_id>/delete")
def delete_word(entry_id: int):
    entry = watched_words.get(policy(), entry_id)
    if not FlaskForm().validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    watched_words.remove(current_actor(), entry)
    flash(_("The entry is off the list."), "success")
    return redirect(url_for(".words"))
