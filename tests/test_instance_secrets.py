"""Every app server on one database signs alike: the secret key and the board's first token come from the
environment, else from the database (written once by the first server), never from a file one server made."""
from __future__ import annotations

from sqlalchemy import select, text

from shopfloor import create_app
from shopfloor.extensions import db
from shopfloor.models import InstanceSecret
from tests.conftest import SUITE_DB_URL, _config


def _server(tmp_path, name: str, **extra):
    """An app as `make run` builds it: no SECRET_KEY or BOARD_TOKEN given, its own instance folder."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    app = create_app(_config(SUITE_DB_URL, SECRET_KEY="", BOARD_TOKEN="", **extra))
    return app


def _dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_servers_on_one_database_share_the_key_and_the_board_token(ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPFLOOR_INSTANCE_PATH", str(tmp_path / "a"))
    a = _server(tmp_path, "a")
    monkeypatch.setenv("SHOPFLOOR_INSTANCE_PATH", str(tmp_path / "b"))
    b = _server(tmp_path, "b")
    try:
        assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"] and len(a.config["SECRET_KEY"]) >= 40
        assert a.config["BOARD_TOKEN"] == b.config["BOARD_TOKEN"] and a.config["BOARD_TOKEN"]
        assert a.config["SECRET_KEY"] != a.config["BOARD_TOKEN"]
        stored = dict(db.session.execute(select(InstanceSecret.name, InstanceSecret.value)).all())
        assert stored == {"secret_key": a.config["SECRET_KEY"], "board_token": a.config["BOARD_TOKEN"]}
        assert not (tmp_path / "a" / "secret_key").exists() and not (tmp_path / "b" / "secret_key").exists()
        # a session cookie signed by one server is read by the other
        with a.test_request_context():
            cookie = a.session_interface.get_signing_serializer(a).dumps({"k": "v"})
        with b.test_request_context():
            assert b.session_interface.get_signing_serializer(b).loads(cookie) == {"k": "v"}
    finally:
        _dispose(a)
        _dispose(b)


def test_an_older_install_s_instance_file_is_adopted_so_printed_tickets_stay_valid(ctx, tmp_path, monkeypatch):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "secret_key").write_text("the-key-printed-tickets-were-signed-with\n")
    monkeypatch.setenv("SHOPFLOOR_INSTANCE_PATH", str(tmp_path / "old"))
    app = _server(tmp_path, "old")
    try:
        assert app.config["SECRET_KEY"] == "the-key-printed-tickets-were-signed-with"
        assert db.session.scalar(select(InstanceSecret.value).where(InstanceSecret.name == "secret_key")) \
            == "the-key-printed-tickets-were-signed-with"
    finally:
        _dispose(app)


def test_the_environment_wins_and_nothing_is_written(ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPFLOOR_INSTANCE_PATH", str(tmp_path / "env"))
    app = create_app(_config(SUITE_DB_URL, SECRET_KEY="from-the-environment", BOARD_TOKEN="board-from-env"))
    try:
        assert app.config["SECRET_KEY"] == "from-the-environment"
        assert db.session.scalar(select(text("count(*)")).select_from(InstanceSecret)) == 0
    finally:
        _dispose(app)


def test_before_the_first_migration_the_instance_file_is_used(tmp_path, monkeypatch):
    """`flask db upgrade` on a new database runs before the table exists."""
    folder = tmp_path / "fresh"
    monkeypatch.setenv("SHOPFLOOR_INSTANCE_PATH", str(folder))
    app = create_app(_config(f"sqlite:///{tmp_path / 'empty.db'}", SECRET_KEY="", BOARD_TOKEN=""))
    try:
        assert app.config["SECRET_KEY"] == (folder / "secret_key").read_text().strip()
        assert (folder / "secret_key").stat().st_mode & 0o777 == 0o600
    finally:
        _dispose(app)


def test_a_fresh_clone_without_an_instance_folder_starts(tmp_path, monkeypatch):
    """`make run` on a new clone: no instance/ yet, the default SQLite file inside it (found by the walk-through:
    the database file could not be opened before the folder was made)."""
    folder = tmp_path / "new-clone" / "instance"
    monkeypatch.setenv("SHOPFLOOR_INSTANCE_PATH", str(folder))
    monkeypatch.delenv("SHOPFLOOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "", "BOARD_TOKEN": ""})
    try:
        assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder / 'shopfloor.db'}"
        assert app.config["SECRET_KEY"] == (folder / "secret_key").read_text().strip()
    finally:
        _dispose(app)
