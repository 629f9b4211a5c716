"""`flask --app wsgi forum …` commands."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

forum_cli = AppGroup("forum", help="Agora maintenance commands.")


@forum_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.password_option()
def create_admin(username: str, email: str, password: str) -> None:
    """Create an administrator account (or promote an existing one)."""
    from .extensions import db
    from .models import Role
    from .services import accounts

    existing = accounts.find_login(username)
    if existing is not None:
        if existing.is_admin:
            click.echo(f"{existing.username} is already an administrator; nothing changed.")
            return
        existing.role = Role.ADMIN
        db.session.commit()
        click.echo(
            f"{existing.username} is now an administrator "
            "(their password and email are unchanged)."
        )
        return
    try:
        user = accounts.register(
            accounts.Registration(username=username, email=email, password=password),
            role=Role.ADMIN,
        )
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created administrator {user.username}.")


@forum_cli.command("seed-demo")
def seed_demo() -> None:
    """Fill an empty forum with a living demo community (safe to run again)."""
    from .demo import seed

    def progress(length: int, label: str):
        return click.progressbar(length=length, label=label)

    seed(echo=click.echo, progress=progress)


@forum_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database (the database is the truth)."""
    from .services import search

    with click.progressbar(length=search.post_total(), label="Indexing posts",
                           show_pos=True) as bar:
        count, seconds = search.rebuild(progress=bar.update)
    click.echo(f"Indexed {count} posts in {seconds:.1f} s")


def register_cli(app: Flask) -> None:
    app.cli.add_command(forum_cli)
