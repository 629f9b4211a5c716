"""Agora: a forum with community management built in."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from . import config as config_module
from .extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class _BoundedInt(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    instance = Path(config.get("INSTANCE_PATH") or config_module.instance_folder(ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment(instance))
    app.config.update(config)

    _init_extensions(app)
    # Ids are 32-bit in the database; a longer number in a URL is simply not found (404),
    # rather than an overflow in the query.
    app.url_map.converters["int"] = _BoundedInt
    _register_blueprints(app)

    from . import fragments
    from .errors import register_error_handlers
    from .web import init_web

    register_error_handlers(app)
    init_web(app)
    fragments.init_app(app)

    from .pagecache import init_pagecache

    # After init_web: a request with malformed text is refused before any cache is asked.
    init_pagecache(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import database, i18n

    i18n.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    # Before CSRFProtect's hook, which reads the form: upload routes take larger bodies.
    from .web import large_body_limit

    app.before_request(large_body_limit)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    # Flashed as plain text in the request's language (a lazy string would not fit the session).
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    with app.app_context():
        database.configure_engine(db.engine)
    app.wsgi_app = database.RetryDropped(app.wsgi_app)

    from .services import mail
    from .services.search import backend, sync, vectors

    backend.init_app(app)
    sync.init_app(app)
    vectors.init_app(app)
    mail.init_app(app)

    from .services import uploads

    uploads.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from .blueprints import admin, auth, boards, moderation, notifications, profiles, reports

    app.register_blueprint(auth.bp)
    app.register_blueprint(profiles.bp)
    app.register_blueprint(boards.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(admin.bp)

    from .blueprints import language as language_blueprint
    from .blueprints import site as site_blueprint

    app.register_blueprint(language_blueprint.bp)

    app.register_blueprint(site_blueprint.bp)

    from .blueprints import search as search_blueprint

    app.register_blueprint(search_blueprint.bp)

    from .blueprints import events as events_blueprint

    app.register_blueprint(events_blueprint.bp)
    from .blueprints import engagement as engagement_blueprint

    app.register_blueprint(engagement_blueprint.bp)

    from .blueprints import announcements as announcements_blueprint
    from .blueprints import desk as desk_blueprint

    app.register_blueprint(desk_blueprint.bp)

    app.register_blueprint(announcements_blueprint.bp)

    from .blueprints import mail as mail_blueprint

    app.register_blueprint(mail_blueprint.bp)

    from .blueprints import messages as messages_blueprint

    app.register_blueprint(messages_blueprint.bp)

    from .blueprints import keepup as keepup_blueprint

    app.register_blueprint(keepup_blueprint.bp)

    from .blueprints import polls as polls_blueprint

    app.register_blueprint(polls_blueprint.bp)

    from .blueprints import api as api_blueprint

    app.register_blueprint(api_blueprint.bp)
    from .blueprints import feeds as feeds_blueprint
    from .blueprints import seo as seo_blueprint

    app.register_blueprint(feeds_blueprint.bp)
    app.register_blueprint(seo_blueprint.bp)

    from .blueprints import uploads as uploads_blueprint

    app.register_blueprint(uploads_blueprint.bp)
