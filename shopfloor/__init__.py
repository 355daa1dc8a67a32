"""Shopfloor: real-time production tracking for garment factories."""
from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import shopfloor.models  # noqa: F401  (register every table with the metadata)
from shopfloor import (assets, blueprints, cli, database, edge, errors, events, headers, i18n, instance_secrets, once,
                       templating)
from shopfloor.auth import login as auth_login
from shopfloor.auth import throttle
from shopfloor.config import Config, instance_path
from shopfloor.extensions import babel, csrf, db, htmx, login_manager, migrate
from shopfloor.sessions import CachedSerializerSessionInterface


def create_app(config: Config | dict | None = None) -> Flask:
    """config -> extensions -> blueprints -> errors -> events -> cli."""
    app = Flask(__name__, instance_path=str(instance_path()), instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    app.json = edge.StrictJSONProvider(app)  # no NaN, Infinity or deep nesting in request bodies
    base = Config.from_env(app.instance_path)
    app.config.from_mapping(base.as_dict())
    if isinstance(config, Config):
        app.config.from_mapping(config.as_dict())
    elif config:
        app.config.from_mapping(config)

    os.makedirs(app.instance_path, exist_ok=True)  # a fresh clone: the SQLite file and secrets live here
    app.session_interface = CachedSerializerSessionInterface()
    if app.config.get("TRUSTED_PROXIES"):  # behind N proxies: their X-Forwarded-* headers name the phone (config.py)
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    database.configure_engine_options(app)
    db.init_app(app)
    database.install_sqlite_hooks(app)
    database.install_postgres_hooks(app)
    instance_secrets.install(app)  # SECRET_KEY and the board's first token: environment, else the database
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    auth_login.init_login_manager(login_manager)
    throttle.init_app(app)  # sign-in throttles; Flask-Limiter's hooks run on the throttled views only
    auth_login.init_app(app)  # remember-me and the route guard (shopfloor/roles.py), before any form claim

    app.url_map.converters["int"] = edge.ColumnInt  # ids in URLs fit the id columns (else 404)
    blueprints.register(app)
    errors.register(app)
    events.subscribe()
    cli.register(app)
    templating.register(app)
    assets.init_app(app)  # hashed static URLs, static files and pages compressed
    once.init_app(app)  # every form submits once (one-time id claimed before the view runs)
    headers.init_app(app)  # CSP, nosniff, referrer policy, framing on every response
    return app
