"""Settings from the environment that place a host's state: its instance folder and its Redis
keys."""
from __future__ import annotations

from forum import create_app
from forum.extensions import db


def test_instance_folder_and_redis_prefix_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_INSTANCE", str(tmp_path / "host-a"))
    monkeypatch.setenv("REDIS_PREFIX", "second-forum:")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'forum.db'}")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    try:
        assert app.instance_path == str(tmp_path / "host-a")
        assert (tmp_path / "host-a" / "secret_key").exists()  # the host's own state goes there
        assert app.config["MAIL_FOLDER"] == str(tmp_path / "host-a" / "mail")
        assert app.config["RATELIMIT_PREFIX"] == "second-forum:rl:"
        assert app.config["KEPT_VERSION_PREFIX"] == "second-forum:kept:"
    finally:
        with app.app_context():
            db.engine.dispose()


def test_without_them_the_keys_start_with_agora(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_PREFIX", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'forum.db'}"})
    try:
        assert app.config["RATELIMIT_PREFIX"] == "agora:rl:"
        assert app.config["KEPT_VERSION_PREFIX"] == "agora:kept:"
    finally:
        with app.app_context():
            db.engine.dispose()
