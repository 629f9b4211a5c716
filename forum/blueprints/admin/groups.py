"""Groups under /admin/groups: the list with a form for a new one, a group's page (its name
and description, members, the boards it opens) and deleting one. Which boards a group opens is
chosen on each board's form under /admin/structure."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import InvalidField, Refused, require
from ...models import GroupLimit
from ...policy import policy
from ...services.accounts import groups
from ...web import current_actor
from ..form_errors import attach_refusal
from . import bp
from .forms import ConfirmForm, GroupForm, GroupMemberForm


def _render_list(form: GroupForm, status: int = 200):
    rows = groups.overview(policy())
    return render_template("admin/groups.html", rows=rows, form=form, tab="groups"), status


@bp.get("/groups")
def groups_list():
    return _render_list(GroupForm(formdata=None))


@bp.post("/groups")
def create_group():
    require(policy().can_manage_groups())
    form = GroupForm()
    if not form.validate_on_submit():
        return _render_list(form, 400)
    try:
        group = groups.create_group(current_actor(), form.name.data, form.description.data)
    except Refused as error:
        return _render_list(form, attach_refusal(form, error))
    flash(_("Created the group “%(name)s”.", name=group.name), "success")
    return redirect(url_for(".group", group_id=group.id))


def _render_group(group, form: GroupForm | None = None, member_form: GroupMemberForm | None = None,
                  status: int = 200):
    viewer = policy()
    if form is None:
        form = GroupForm(formdata=None, obj=group)
    if member_form is None:
        member_form = GroupMemberForm(formdata=None)
    return render_template(
        "admin/group.html", group=group, form=form, member_form=member_form,
        members=groups.members(viewer, group), remove_form=ConfirmForm(),
        read_boards=groups.boards_of(group, GroupLimit.READ),
        post_boards=groups.boards_of(group, GroupLimit.POST), tab="groups",
    ), status


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group(group_id: int):
    found = groups.get_group(policy(), group_id)
    if request.method == "GET":
        return _render_group(found)
    form = GroupForm()
    if not form.validate_on_submit():
        return _render_group(found, form=form, status=400)
    try:
        groups.update_group(current_actor(), found, form.name.data, form.description.data)
    except InvalidField as error:
        return _render_group(found, form=form, status=attach_refusal(form, error))
    except Refused as error:
        if error.status != 400:
            raise
        form.form_errors.append(error.reason)  # nothing changed
        return _render_group(found, form=form, status=400)
    flash(_("Saved the group “%(name)s”.", name=found.name), "success")
    return redirect(url_for(".group", group_id=found.id))


@bp.post("/groups/<int:group_id>/members")
def add_group_member(group_id: int):
    found = groups.get_group(policy(), group_id)
    form = GroupMemberForm()
    if not form.validate_on_submit():
        return _render_group(found, member_form=form, status=400)
    try:
        user = groups.add_member(current_actor(), found, form.username.data)
    except Refused as error:
        return _render_group(found, member_form=form, status=attach_refusal(form, error))
    flash(_("Added %(username)s to %(group)s.", username=user.username, group=found.name),
          "success")
    return redirect(url_for(".group", group_id=found.id, _anchor="members-heading"))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
def remove_group_member(group_id: int, user_id: int):
    found = groups.get_group(policy(), group_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise Refused(_("The form expired. Reload the page and try again."), status=400)
    user = groups.remove_member(current_actor(), found, user_id)
    flash(_("Removed %(username)s from %(group)s.", username=user.username, group=found.name),
          "success")
    return redirect(url_for(".group", group_id=found.id, _anchor="members-heading"))


@bp.route("/groups/<int:group_id>/delete", methods=["GET", "POST"])
def delete_group(group_id: int):
    found = groups.get_group(policy(), group_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise Refused(_("The form expired. Reload the page and try again."), status=400)
        name = found.name
        groups.delete_group(current_actor(), found)
        flash(_("Deleted the group “%(name)s”.", name=name), "success")
        return redirect(url_for(".groups_list"))
    return render_template("admin/group_delete.html", group=found, form=form,
                           members=len(groups.members(policy(), found)),
                           read_boards=groups.boards_of(found, GroupLimit.READ),
                           post_boards=groups.boards_of(found, GroupLimit.POST), tab="groups")


@bp.app_template_global()
def member_groups(user) -> list:
    """The groups a member belongs to, for their page in the panel (``_user_groups.html``)."""
    return groups.groups_of(user)
