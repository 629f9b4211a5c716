"""The forum's structure under /admin/structure: categories and boards, their order, archiving
and deleting. Each view reads a form, calls one service and redirects back to the overview."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ...errors import Refused, require
from ...extensions import db
from ...models import Board, Category
from ...policy import policy
from ...services.accounts import groups
from ...services.site import board_removal, boards, structure
from ...web import current_actor
from ..form_errors import attach_refusal
from . import bp
from .forms import ConfirmForm
from .structure_forms import (
    ArchiveForm,
    BoardForm,
    CategoryForm,
    DeleteBoardForm,
    MoveForm,
    UnarchiveForm,
)


def _back(anchor: str | None = None):
    return redirect(url_for(".structure", _anchor=anchor))




def _bad_form(form) -> None:
    """A malformed button form (no page to show it on): the first message, as a 400."""
    messages = [message for errors in form.errors.values() for message in errors]
    raise Refused(messages[0] if messages else _("Reload the page and try again."), status=400)


# -- the overview ------------------------------------------------------------------------------
def _render_overview(form: CategoryForm, status: int = 200):
    rows = structure.overview(policy())
    return render_template("admin/structure.html", rows=rows, form=form,
                           move_form=MoveForm(formdata=None), tab="structure"), status


@bp.get("/structure", endpoint="structure")
def overview():
    return _render_overview(CategoryForm(formdata=None))


# -- categories --------------------------------------------------------------------------------
@bp.post("/structure/categories")
def create_category():
    require(policy().can_manage_structure())
    form = CategoryForm()
    if not form.validate_on_submit():
        return _render_overview(form, 400)
    try:
        category = structure.create_category(current_actor(), form.title.data,
                                             form.description.data)
    except Refused as error:
        return _render_overview(form, attach_refusal(form, error))
    flash(_("Added the category “%(title)s”.", title=category.title), "success")
    return _back(f"category-{category.id}")


@bp.route("/structure/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = structure.get_category(policy(), category_id)
    form = CategoryForm(obj=category if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                structure.update_category(current_actor(), category, form.title.data,
                                          form.description.data)
            except Refused as error:
                status = attach_refusal(form, error)
            else:
                flash(_("Saved the category “%(title)s”.", title=category.title), "success")
                return _back(f"category-{category.id}")
    return render_template("admin/structure_category.html", category=category, form=form,
                           tab="structure"), status


@bp.post("/structure/categories/<int:category_id>/move")
def move_category(category_id: int):
    category = structure.get_category(policy(), category_id)
    form = MoveForm()
    if not form.validate_on_submit():
        _bad_form(form)
    structure.move_category(current_actor(), category, form.step)
    return _back(f"category-{category.id}")


@bp.route("/structure/categories/<int:category_id>/delete", methods=["GET", "POST"])
def delete_category(category_id: int):
    category = structure.get_category(policy(), category_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            _bad_form(form)
        title = category.title
        structure.delete_category(current_actor(), category)
        flash(_("Deleted the category “%(title)s”.", title=title), "success")
        return _back()
    return render_template("admin/structure_category_delete.html", category=category,
                           form=form, tab="structure")


# -- boards ------------------------------------------------------------------------------------
def _categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def _draft(form: BoardForm) -> boards.BoardDraft:
    return boards.BoardDraft(
        title=form.title.data, category_id=form.category.data, slug=form.slug.data or "",
        description=form.description.data or "", access=form.access.data,
        thread_access=form.thread_access.data, is_read_only=form.is_read_only.data,
        slow_mode_seconds=form.slow_mode_seconds.data, position=form.position.data,
        allows_member_events=form.allows_member_events.data,
        is_questions=form.is_questions.data, response_hours=form.response_hours.data,
        threads_need_approval=form.threads_need_approval.data, language=form.language.data or "",
        read_groups=form.read_group_ids, post_groups=form.post_group_ids,
    )


def _render_board_form(form: BoardForm, board: Board | None, status: int):
    return render_template("admin/structure_board.html", form=form, board=board,
                           tab="structure"), status


@bp.route("/structure/boards/new", methods=["GET", "POST"])
def new_board():
    require(policy().can_manage_structure())
    categories = _categories()
    if not categories:
        flash(_("Add a category first: every board belongs to one."), "error")
        return _back()
    if request.method == "GET":
        form = BoardForm(formdata=None, categories=categories, groups=groups.all_groups(),
                         data={"category": request.args.get("category", type=int)})
        return _render_board_form(form, None, 200)
    form = BoardForm(categories=categories, groups=groups.all_groups())
    if not form.validate_on_submit():
        return _render_board_form(form, None, 400)
    try:
        board = boards.create_board(current_actor(), _draft(form))
    except Refused as error:
        return _render_board_form(form, None, attach_refusal(form, error))
    flash(_("Added the board “%(title)s” at %(address)s.", title=board.title,
            address="/b/" + board.slug), "success")
    return _back(f"board-{board.id}")


@bp.route("/structure/boards/<int:board_id>/edit", methods=["GET", "POST"])
def edit_board(board_id: int):
    board = structure.get_board(policy(), board_id)
    categories = _categories()
    if request.method == "GET":
        # Position stays empty (keep the place); the category is chosen by its id.
        current = {name: getattr(board, name) for name in (
            "title", "slug", "description", "access", "thread_access", "slow_mode_seconds",
            "is_read_only", "allows_member_events", "is_questions", "threads_need_approval",
            "response_hours")}
        current["language"] = board.language or ""
        chosen = {"read_groups": [str(i) for i in sorted(board.read_group_ids)],
                  "post_groups": [str(i) for i in sorted(board.post_group_ids)]}
        form = BoardForm(formdata=None, categories=categories, groups=groups.all_groups(),
                         data={**current, **chosen, "category": board.category_id})
        return _render_board_form(form, board, 200)
    form = BoardForm(categories=categories, groups=groups.all_groups())
    if not form.validate_on_submit():
        return _render_board_form(form, board, 400)
    try:
        boards.update_board(current_actor(), board, _draft(form))
    except Refused as error:
        return _render_board_form(form, board, attach_refusal(form, error))
    flash(_("Saved the board “%(title)s”.", title=board.title), "success")
    return _back(f"board-{board.id}")


@bp.post("/structure/boards/<int:board_id>/move")
def move_board(board_id: int):
    board = structure.get_board(policy(), board_id)
    form = MoveForm()
    if not form.validate_on_submit():
        _bad_form(form)
    structure.move_board(current_actor(), board, form.step)
    return _back(f"board-{board.id}")


@bp.post("/structure/boards/<int:board_id>/archive")
def archive_board(board_id: int):
    board = structure.get_board(policy(), board_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        _bad_form(form)
    boards.archive_board(current_actor(), board, form.reason.data)
    flash(_("Archived “%(title)s”: it is read-only and listed under “Archived”.",
            title=board.title), "success")
    return _back(f"board-{board.id}")


@bp.post("/structure/boards/<int:board_id>/unarchive")
def unarchive_board(board_id: int):
    board = structure.get_board(policy(), board_id)
    form = UnarchiveForm()
    if not form.validate_on_submit():
        _bad_form(form)
    boards.unarchive_board(current_actor(), board, form.reopen.data, form.reason.data)
    flash(_("“%(title)s” is back in its category.", title=board.title), "success")
    return _back(f"board-{board.id}")


@bp.route("/structure/boards/<int:board_id>/delete", methods=["GET", "POST"])
def delete_board(board_id: int):
    viewer = policy()
    board = structure.get_board(viewer, board_id)
    plan = board_removal.removal_plan(viewer, board)
    form = DeleteBoardForm(boards=plan.destinations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            title = board.title
            try:
                moved = board_removal.delete_board(current_actor(), board,
                                                   form.destination.data or None,
                                                   form.reason.data)
            except Refused as error:
                if error.status != 400:
                    raise
                form.destination.errors = [*form.destination.errors, error.reason]
            else:
                flash(ngettext("Deleted the board “%(title)s”; %(num)d thread moved.",
                               "Deleted the board “%(title)s”; %(num)d threads moved.",
                               moved, title=title), "success")
                return _back()
    return render_template("admin/structure_board_delete.html", plan=plan, form=form,
                           tab="structure"), status
