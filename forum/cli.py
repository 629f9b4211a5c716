"""`flask --app wsgi forum …` commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from .seeding import DEMO_LANGUAGES

forum_cli = AppGroup("forum", help="Agora maintenance commands.")


@forum_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.password_option()
def create_admin(username: str, email: str, password: str) -> None:
    """Create an administrator account (or promote an existing one)."""
    from .extensions import db
    from .models import Role
    from .services.accounts import account

    existing = account.find_login(username)
    if existing is not None:
        if existing.is_admin:
            click.echo(f"{existing.username} is already an administrator; nothing changed.")
            return
        existing.role = Role.ADMIN
        if existing.email_confirmed_at is None:
            existing.email_confirmed_at = existing.created_at
        db.session.commit()
        click.echo(
            f"{existing.username} is now an administrator "
            "(their password and email are unchanged)."
        )
        return
    try:
        user = account.register(
            account.Registration(username=username, email=email, password=password),
            role=Role.ADMIN, confirmed=True,
        )
    except account.AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created administrator {user.username}.")


@forum_cli.command("init")
@click.option("--no-demo", is_flag=True,
              help="Start an empty forum (one category and board, your administrator) "
                   "instead of the demo community.")
@click.option("--username", help="The first administrator's username (asked if not given).")
@click.option("--email", help="Their email address (asked if not given).")
@click.option("--password", help="Their password (asked, hidden, if not given).")
def init(no_demo: bool, username: str | None, email: str | None,
         password: str | None) -> None:
    """Start the forum on a migrated database: the demo, or with --no-demo an empty forum."""
    if not no_demo:
        from .common.progress import bar
        from .seeding.demo import seed

        seed(echo=click.echo, progress=bar)
        return
    from .seeding import empty

    problem = empty.why_not_empty()
    if problem:
        raise click.ClickException(problem)
    username = username or click.prompt("Administrator's username")
    email = email or click.prompt("Administrator's email")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        forum = empty.start(username, email, password)
    except empty.StartRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the category “{forum.category.title}” with the board "
               f"“{forum.board.title}” (/b/{forum.board.slug}) and the administrator "
               f"{forum.admin.username}. Log in and make it yours under Admin.")


@forum_cli.command("seed-demo")
@click.option("--lang", type=click.Choice(DEMO_LANGUAGES), default="en", show_default=True,
              help="The language the demo community writes in.")
def seed_demo(lang: str) -> None:
    """Fill an empty forum with a living demo community (safe to run again)."""
    from .common.progress import bar
    from .seeding.demo import seed

    seed(echo=click.echo, progress=bar, lang=lang)


@forum_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index (Whoosh) or the search vectors (PostgreSQL) from the database
    (the database is the truth)."""
    import time

    from .common.progress import bar
    from .services.search import engines, sync

    started = time.perf_counter()
    with bar(sync.post_total(), "Indexing posts") as shown:
        count = engines.current().rebuild(progress=shown.update)
    click.echo(f"Indexed {count} posts in {time.perf_counter() - started:.1f} s")


@forum_cli.command("bench-seed")
@click.option("--posts", type=click.IntRange(min=100), default=100_000, show_default=True,
              help="How many posts to create.")
@click.option("--threads", type=click.IntRange(min=2), default=2000, show_default=True,
              help="How many threads (at most half the posts).")
@click.option("--no-index", is_flag=True, help="Leave the search index alone.")
def bench_seed(posts: int, threads: int, no_index: bool) -> None:
    """Fill an empty database with a large synthetic community, for benchmarks."""
    from .common.progress import bar
    from .seeding import bench

    try:
        summary = bench.seed(posts, progress=bar, with_index=not no_index, threads=threads)
    except bench.ForumNotEmpty as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Seeded {summary.posts} posts in {summary.threads} threads, {summary.boards} boards, "
        f"{summary.users} members in {summary.seconds_db:.1f} s; search index "
        f"{summary.seconds_index:.1f} s. Longest thread: /t/{summary.longest_thread_id} "
        f"({summary.longest_thread_posts} posts). Password for every account: "
        f"{bench.BENCH_PASSWORD}"
    )


@forum_cli.command("run-timers")
def run_timers() -> None:
    """Send what the clock has made due (event and bookmark reminders, mail, webhook
    deliveries) and delete members' addresses past their keeping time; safe to run as often
    as you like."""
    from .services.site import timers

    done = timers.run_timers()
    click.echo(f"Sent {done.event_reminders} event reminder"
               f"{'' if done.event_reminders == 1 else 's'}.")
    click.echo(f"Deleted {done.addresses_purged} member address"
               f"{'' if done.addresses_purged == 1 else 'es'} past their keeping time.")
    click.echo(f"Sent {done.bookmark_reminders} bookmark reminder"
               f"{'' if done.bookmark_reminders == 1 else 's'}.")
    if done.notification_mail is not None:
        click.echo(f"Notification mail: queued {done.notification_mail.at_once} at once, "
                   f"{done.notification_mail.digests} digest"
                   f"{'' if done.notification_mail.digests == 1 else 's'}.")
    click.echo(f"Removed {done.uploads_removed} upload"
               f"{'' if done.uploads_removed == 1 else 's'} no post showed after a day.")
    _echo_mail(done.mail)
    if done.webhooks is not None:
        click.echo(f"Webhooks: delivered {done.webhooks.delivered}, "
                   f"{done.webhooks.retrying} to retry later, {done.webhooks.failed} failed"
                   + (f", {done.webhooks.disabled} hook(s) stopped" if done.webhooks.disabled
                      else "") + ".")


def _echo_mail(run) -> None:
    from flask import current_app

    where = (f"to {current_app.config['MAIL_SERVER']}" if current_app.config.get("MAIL_SERVER")
             else f"as .eml files in {current_app.config['MAIL_FOLDER']} (no MAIL_SERVER set)")
    click.echo(f"Mail: sent {run.sent} {where}; {run.retrying} to retry later, "
               f"{run.failed} failed" + (f", {run.interrupted} interrupted" if run.interrupted
                                         else "") + ".")


@forum_cli.command("worker")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between looks at the queues while nothing is due.")
@click.option("--timers-every", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds between runs of what the clock makes due (reminders, clean-ups).")
@click.option("--once", is_flag=True, help="Do what is due now, then stop.")
@click.option("--max-seconds", type=click.FloatRange(min=0), default=None,
              help="Stop after this many seconds (default: run until SIGTERM or Ctrl+C).")
def worker(interval: float, timers_every: float, once: bool, max_seconds: float | None
           ) -> None:
    """Do the background work as it falls due, until stopped (SIGTERM or Ctrl+C finish the
    job under way first): what run-timers does, and queued mail, digests and webhook
    deliveries at once. Run as many as you like, on any host: each job is claimed by one."""
    from flask import current_app

    from .services.site import worker as site_worker

    target = (current_app.config.get("MAIL_SERVER")
              or f"{current_app.config['MAIL_FOLDER']} (.eml files)")
    click.echo(f"Worker started, sending mail to {target}.")
    total = site_worker.run(interval=interval, once=once, max_seconds=max_seconds,
                            echo=click.echo, timers_every=timers_every)
    click.echo(f"Worker stopped: sent {total.sent} mail, {total.retrying} to retry later, "
               f"{total.failed} failed.")


@forum_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path), required=False)
def backup(target: Path | None) -> None:
    """Copy the SQLite database, consistent, while the forum runs (default: a dated file in
    the instance folder's backups/). For PostgreSQL use pg_dump."""
    from flask import current_app

    from .models import utcnow
    from .services.site import backup as backups

    if target is None:
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        target = Path(current_app.instance_path) / "backups" / f"forum-{stamp}.db"
    try:
        done = backups.backup_sqlite(target)
    except backups.BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Backed up {done.pages} pages ({done.bytes / 2**20:.1f} MiB) to {done.path}.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(forum_cli)
