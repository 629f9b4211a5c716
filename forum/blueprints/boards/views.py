"""Pages of the forum: each view parses the request, calls one service, renders or redirects."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ...common import markup
from ...errors import InvalidField, NotFound, Refused, error_response, require, wants_json
from ...i18n import language
from ...models import PendingPost, Post, Thread
from ...policy import pace, policy
from ...services.community import event_listing
from ...services.community.polls import making as poll_making
from ...services.community.polls import reading as poll_reading
from ...services.content import answers, approvals, posting, reading, reading_state, responsiveness
from ...services.content.watched_words import WordRefused
from ...web import UrlPattern, current_actor, viewer_tz
from .. import uploads
from ..args import id_arg, page_arg
from ..form_errors import attach
from ..polls.forms import read_spec
from . import bp, post_list
from .forms import (
    BODY_HELP,
    DeletePostForm,
    EditPostForm,
    ModeratorDeleteForm,
    ModeratorEditForm,
    NewThreadForm,
    ReplyForm,
)


def _posts_per_page() -> int:
    return current_app.config["POSTS_PER_PAGE"]



def _is_preview() -> bool:
    return "preview" in request.form


def _keep_draft(form: FlaskForm, refused: Refused) -> tuple[int, dict]:
    """A refusal the member can wait out or fix (slow mode, the flood interval, a new member's
    links), or one that came while they wrote (the thread locked in between), goes next to
    their draft; the status and Retry-After say the same to machines. Anything else, and any
    JSON request, gets the usual error answer."""
    if wants_json() or refused.login_required or refused.status not in (400, 403, 429):
        raise refused
    form.body.errors = [*form.body.errors, refused.reason]
    return refused.status, ({"Retry-After": str(refused.retry_after)}
                            if refused.retry_after else {})


def _refused_draft(decision, form: FlaskForm) -> bool:
    """``require`` for the writing forms, except for a submitted draft: a wait (a moderator's
    timeout) is left to the posting service, whose refusal keeps the draft like any cooldown;
    any other refusal (the thread was locked, the board made read-only, the rules changed
    while the member wrote) goes under the draft, which comes back to them: True, for a 403.
    A guest, a JSON request and a form that doesn't validate get the usual refusal."""
    if decision:
        return False
    if request.method == "POST" and not decision.login_required and not wants_json():
        if decision.retry_after:
            return False
        if form.validate_on_submit():
            form.body.errors = [*form.body.errors, decision.reason]
            return True
    require(decision)
    return False


def _field_error(form: FlaskForm, error: posting.InvalidInput | WordRefused) -> None:
    attach(form, error.field, error.reason, fallback=form.body)


@bp.app_template_global()
def thread_url(thread: Thread, page: int = 1, anchor: str | None = None) -> str:
    """The canonical address of a thread page; the slug is left out when the title has none."""
    return url_for(
        "boards.thread",
        thread_id=thread.id,
        slug=thread.slug or None,
        page=page if page > 1 else None,
        _anchor=anchor,
    )


def _post_location(post: Post) -> str:
    return thread_url(
        post.thread, reading.page_of(post.position, _posts_per_page()), anchor=f"p{post.id}"
    )


# -- reading ------------------------------------------------------------------------------------
@bp.get("/")
def index():
    viewer = policy()
    return render_template(
        "boards/index.html", cards=reading.board_index(viewer),
        upcoming_events=event_listing.upcoming(viewer, viewer.clock, limit=3),
    )


@bp.get("/b/<slug>")
def board(slug: str):
    viewer = policy()
    try:
        listing = reading.board_page(
            viewer, slug, page_arg(), current_app.config["THREADS_PER_PAGE"]
        )
    except NotFound:
        # A renamed board's old address (or another letter case) leads to its new one.
        moved = reading.renamed_board(viewer, slug)
        if moved is None:
            raise
        return redirect(url_for("boards.board", slug=moved.slug,
                                page=request.args.get("page")), 301)
    return render_template(
        "boards/board.html",
        listing=listing,
        board=listing.board,
        posts_per_page=_posts_per_page(),
        now=viewer.clock,
    )


def _pace(thread: Thread, can_reply: bool) -> dict:
    """What the page says about the thread's lock and slow mode, and when this member may
    post again (asked only of members who may reply)."""
    viewer = policy()
    now = viewer.clock
    locked = thread.locked_now(now)
    return {
        "locked": locked,
        "lock_text": viewer.lock_notice(thread) if locked else "",
        "pending_at": thread.lock_starts_at if thread.lock_pending(now) else None,
        "slow": pace.slow_mode(thread.board, thread, now),
        "slow_until": thread.slow_mode_until if thread.own_slow_mode(now) else None,
        "wait": viewer.posting_wait(thread.board, thread) if can_reply else None,
    }


def _page_links(thread: Thread):
    """``thread_url(thread, n)`` for the pagination's links, routing the URL once, not per link."""
    first = thread_url(thread)
    later = UrlPattern("boards.thread", "page", thread_id=thread.id, slug=thread.slug or None)
    return lambda n: first if n <= 1 else later(n)


def _blank_reply_field():
    """The empty reply box, rendered once per process: building a form and rendering its field
    for every thread page cost a tenth of a member's page. A submitted draft (with its errors)
    is rendered from its own form."""
    boxes = current_app.extensions.setdefault("agora_blank_reply", {})  # one per language
    kept = boxes.get(language())
    if kept is None:
        form = ReplyForm(formdata=None, meta={"csrf": False})
        field = current_app.jinja_env.get_template("macros/ui.html").module.field
        kept = boxes[language()] = field(form.body, help=BODY_HELP, rows=8)
    return kept


def _render_thread(view: reading.ThreadPage, form: ReplyForm | None, status: int = 200,
                   headers: dict | None = None):
    viewer = policy()
    reply_decision = viewer.can_reply(view.thread)
    # The poll heads the first page; a thread without one pays no statement for it.
    poll = (poll_reading.box_for(viewer, view.thread)
            if view.page == 1 and view.thread.poll_id else None)
    return render_template(
        "boards/thread.html",
        view=view,
        thread=view.thread,
        board=view.thread.board,
        form=form,
        blank_reply=_blank_reply_field() if form is None and reply_decision else None,
        reply_decision=reply_decision,
        pace=_pace(view.thread, bool(reply_decision)),
        body_help=BODY_HELP,
        page_links=_page_links(view.thread),
        post_list=post_list.render(view, viewer, reply_decision),
        poll=poll,
        answer=answers.accepted_post(view.thread),
        usual_response=responsiveness.usual_response_for(viewer, view.thread),
    ), status, headers or {}


@bp.get("/t/<int:thread_id>")
@bp.get("/t/<int:thread_id>-<slug>")
def thread(thread_id: int, slug: str | None = None):
    viewer = policy()
    view = reading.thread_page(viewer, thread_id, page_arg(), _posts_per_page())
    if slug is not None and slug != view.thread.slug:
        return redirect(thread_url(view.thread, view.page), 301)
    response = _render_thread(view, None)
    # What the page showed is read (one UPSERT, only when it moves the member's place on).
    reading_state.mark_read(viewer, view.thread,
                            min(view.page * view.per_page, view.thread.post_seq))
    return response


@bp.app_errorhandler(reading.MergedAway)
def merged_away(merged: reading.MergedAway):
    """A merged thread's address leads to the thread it went into (its first page); a form
    sent to it is refused with where to go instead (a redirect would drop the draft)."""
    if request.method in ("GET", "HEAD"):
        return redirect(thread_url(merged.target), 301)
    return error_response(409, _("This thread was merged into “%(title)s”; reply there.",
                                 title=merged.target.title))


@bp.get("/p/<int:post_id>")
def post(post_id: int):
    return redirect(_post_location(reading.get_post(policy(), post_id)))


@bp.post("/p/<int:post_id>/answer")
def mark_answer(post_id: int):
    post = reading.get_post(policy(), post_id)
    answers.mark_answer(current_actor(), post)
    flash(_("The reply is marked as the answer."), "success")
    return redirect(_post_location(post))


@bp.post("/t/<int:thread_id>/answer/remove")
def unmark_answer(thread_id: int):
    thread = reading.get_thread(policy(), thread_id)
    answers.unmark_answer(current_actor(), thread)
    flash(_("The question has no accepted answer now."), "success")
    return redirect(thread_url(thread))


# -- writing ------------------------------------------------------------------------------------
@bp.route("/b/<slug>/new", methods=["GET", "POST"])
def new_thread(slug: str):
    viewer = policy()
    try:
        board = reading.get_board(viewer, slug)
    except NotFound:
        moved = reading.renamed_board(viewer, slug)
        if moved is None:
            raise
        # 308 keeps a form sent to the old address a POST (with its draft) at the new one.
        return redirect(url_for("boards.new_thread", slug=moved.slug),
                        301 if request.method == "GET" else 308)
    form = NewThreadForm()
    refused = _refused_draft(viewer.can_create_thread(board), form)
    preview = attach_error = None
    status, headers = 400, {}
    if refused:
        status = 403
    elif uploads.is_attaching():
        attach_error, status = uploads.attach_image(form.body)
        return render_template(
            "boards/new_thread.html", board=board, form=form, preview=None,
            body_help=BODY_HELP, attach_error=attach_error), status
    elif form.validate_on_submit():
        if _is_preview():
            preview = markup.render(form.body.data)
        else:
            try:
                created = _create_thread(viewer, board, form)
            except (posting.InvalidInput, WordRefused) as error:
                _field_error(form, error)
            except InvalidField as error:
                attach(form, error.field, error.reason, fallback=form.body)
            except Refused as refused:
                status, headers = _keep_draft(form, refused)
            else:
                if isinstance(created, PendingPost):
                    return _waiting(created)
                flash(_("Your thread is up."), "success")
                return redirect(thread_url(created))
    if not form.errors and not refused:
        status = 200
    return render_template(
        "boards/new_thread.html", board=board, form=form, preview=preview, body_help=BODY_HELP
    ), status, headers


def _create_thread(viewer, board, form: NewThreadForm):
    """The thread, with its poll when the member filled one in (both or neither)."""
    if not form.wants_poll():
        return posting.create_thread(current_actor(), board, form.title.data, form.body.data)
    spec = read_spec(form, viewer_tz(), viewer.clock)
    return poll_making.create_thread_with_poll(current_actor(), board, form.title.data,
                                               form.body.data, spec)


@bp.route("/t/<int:thread_id>/reply", methods=["GET", "POST"])
def reply(thread_id: int):
    viewer = policy()
    thread = reading.get_thread(viewer, thread_id)
    form = ReplyForm()
    refused = _refused_draft(viewer.can_reply(thread), form)
    preview = None
    status, headers = 400, {}
    if refused:
        status = 403
    elif uploads.is_attaching():
        attach_error, status = uploads.attach_image(form.body)
        return render_template(
            "boards/reply.html", thread=thread, board=thread.board, form=form, preview=None,
            body_help=BODY_HELP, locked=thread.locked_now(viewer.clock),
            attach_error=attach_error), status
    elif request.method == "GET":
        quote_id = id_arg("quote", _("the quoted post"))
        if quote_id is not None:
            quoted = reading.get_readable_post(viewer, quote_id)
            if quoted.thread_id != thread.id:
                raise NotFound(_("That post isn't in this thread."))
            form.body.data = markup.quote(quoted.author.name, quoted.body, quoted.id)
    elif form.validate_on_submit():
        if _is_preview():
            preview = markup.render(form.body.data)
        else:
            try:
                created = posting.reply(current_actor(), thread, form.body.data)
            except (posting.InvalidInput, WordRefused) as error:
                _field_error(form, error)
            except Refused as refused:
                status, headers = _keep_draft(form, refused)
            else:
                if isinstance(created, PendingPost):
                    return _waiting(created)
                return redirect(url_for("boards.post", post_id=created.id))
    if form.errors:
        # Back on the thread's latest page, so the draft sits under the posts it answers.
        per_page = _posts_per_page()
        view = reading.thread_page(viewer, thread.id, reading.page_count(thread.post_seq,
                                                                         per_page), per_page)
        return _render_thread(view, form, status, headers)
    return render_template(
        "boards/reply.html", thread=thread, board=thread.board, form=form, preview=preview,
        body_help=BODY_HELP, locked=thread.locked_now(viewer.clock),
    )


def _waiting(pending: PendingPost):
    flash(_("Thanks! A moderator will look at your post before others can see it."), "info")
    return redirect(url_for("boards.waiting_post", pending_id=pending.id))


@bp.get("/waiting")
def waiting_posts():
    """The viewer's posts that wait for a moderator."""
    viewer = policy()
    require(viewer.can_see_own_waiting())
    return render_template("boards/waiting_list.html", items=approvals.own_waiting(viewer))


@bp.get("/waiting/<int:pending_id>")
def waiting_post(pending_id: int):
    """A waiting post as its author and the board's moderators see it."""
    pending = approvals.get_for_viewer(policy(), pending_id)
    return render_template("boards/waiting.html", pending=pending)


@bp.get("/p/<int:post_id>/quote")
def quote_post(post_id: int):
    quoted = reading.get_readable_post(policy(), post_id)
    return redirect(url_for("boards.reply", thread_id=quoted.thread_id, quote=quoted.id))


def _for_someone_else(viewer, post: Post) -> bool:
    """Once the policy allowed it, a change to someone else's post is a moderator's: it takes
    a reason, is logged and the author told (``posting``)."""
    return post.author_id != viewer.user.id


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    viewer = policy()
    post = reading.get_post(viewer, post_id)
    decision = viewer.can_edit_post(post)
    if decision.login_required:
        require(decision)
    moderating = _for_someone_else(viewer, post)
    form_class = ModeratorEditForm if moderating else EditPostForm
    form = form_class(body=post.body) if request.method == "GET" else form_class()
    refused = _refused_draft(decision, form)
    preview = None
    status, headers = 200, {}
    if refused:
        status = 403
    elif form.validate_on_submit():
        if _is_preview():
            preview = markup.render(form.body.data)
        else:
            try:
                posting.edit_post(current_actor(), post, form.body.data,
                                  reason=form.reason.data if moderating else None)
            except (posting.InvalidInput, WordRefused) as error:
                _field_error(form, error)
            except Refused as error:
                status, headers = _keep_draft(form, error)
            else:
                flash(_("The post is changed and its author told why.") if moderating
                      else _("Your changes are saved."), "success")
                return redirect(_post_location(post))
    if form.errors and status == 200:
        status = 400
    return render_template(
        "boards/edit_post.html", post=post, thread=post.thread, board=post.thread.board,
        form=form, preview=preview, body_help=BODY_HELP, moderating=moderating,
    ), status, headers


@bp.get("/p/<int:post_id>/history")
def post_history(post_id: int):
    history = reading.post_history(policy(), post_id)
    post = history.post
    return render_template(
        "boards/post_history.html", history=history, post=post, thread=post.thread,
        board=post.thread.board,
    )


@bp.route("/p/<int:post_id>/delete", methods=["GET", "POST"])
def delete_post(post_id: int):
    viewer = policy()
    post = reading.get_post(viewer, post_id)
    require(viewer.can_delete_post(post))
    moderating = _for_someone_else(viewer, post)
    form = ModeratorDeleteForm() if moderating else DeletePostForm()
    if form.validate_on_submit():
        # Someone else's post always comes with a reason (the service asks for it); a
        # moderator may give one for their own.
        reason = form.reason.data if viewer.moderates(post.thread.board) else None
        posting.delete_post(current_actor(), post, reason=reason)
        if post.thread.is_deleted:
            flash(_("The thread is deleted."), "success")
            return redirect(url_for("boards.board", slug=post.thread.board.slug))
        flash(_("The post is deleted."), "success")
        return redirect(_post_location(post))
    status = 400 if form.errors else 200
    return render_template(
        "boards/delete_post.html", post=post, thread=post.thread, board=post.thread.board,
        form=form, moderating=moderating,
    ), status
