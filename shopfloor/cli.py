from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from shopfloor import demo
from shopfloor import worker as background
from shopfloor.auth import kiosk
from shopfloor.auth.services import create_user
from shopfloor.backup import services as backups
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.lan import addresses
from shopfloor.lan import cli as lan_cli
from shopfloor.quality import catalogue


def register(app: Flask) -> None:
    lan_cli.register(app)

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Post what is due and keep closed days' figures now, then stop.")
    @click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
    def worker(once: bool, interval: float):
        """The background worker: post pending webhook deliveries (signed JSON) with retries, and keep closed
        days' figures (shopfloor/worker.py); runs until stopped."""
        if not once:
            click.echo(f"Background worker: webhooks every {interval:g} s, figures every "
                       f"{background.KEEP_EVERY:g} s (Ctrl+C stops).")
        background.run(interval=interval, once=once, echo=click.echo)

    @app.cli.command("setup")
    def setup():
        """Reference data every factory starts with (the default defect catalogue); safe to run again."""
        catalogue.ensure_default_catalogue()
        click.echo("Reference data in place.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    @click.option("--days", default=3, show_default=True, help="Days of floor history to simulate.")
    def seed_demo(if_empty: bool, days: int):
        """Create the demo factory (lines, operators, styles, orders, bundles, history)."""
        if not demo.is_empty():
            if if_empty:
                click.echo("Database already has data; demo not seeded.")
                return
            raise click.ClickException("The database is not empty; seed-demo needs an empty database.")
        stats = demo.seed(days=days)
        click.echo(f"Demo factory created: {stats}")

    @app.cli.command("banner")
    @click.option("--port", default=8000)
    def banner(port: int):
        """Print the addresses to open, how to set up phones, and the demo sign-ins."""
        reach = addresses.reach(current_app.config, port=port)
        tls_port = current_app.config["TLS_PORT"]
        click.echo("\n  Shopfloor is starting. Open on this machine or any phone on the same network:")
        lan = addresses.lan_addresses()
        for h in ["127.0.0.1", *lan]:
            click.echo(f"    http://{h}:{port}/" + (f"   https://{h}:{tls_port}/ (camera)" if tls_port else ""))
        if not lan and not current_app.config["PUBLIC_BASE_URL"]:
            click.echo("  No LAN address found: phones cannot reach this machine until it joins the network "
                       "(then restart), or set SHOPFLOOR_BASE_URL.")
        if len(lan) > 1 and not current_app.config["PUBLIC_BASE_URL"]:
            click.echo(f"  This machine has {len(lan)} LAN addresses; tickets and phones use {reach.host} "
                       "(the default route's). SHOPFLOOR_BASE_URL chooses another.")
        for line in lan_cli.phone_lines(reach):
            click.echo(line)
        if kiosk.rotated_at():
            click.echo("  Wall board: use the link made on the admin's Access screen (/admin/access).")
        else:
            token = current_app.config["BOARD_TOKEN"]
            click.echo(f"  Wall board (read-only kiosk link): {reach.base}/board?token={token}")
        if demo.has_demo_users():
            click.echo("\n  Demo sign-ins:")
            click.echo(f"    staff (Staff tab): admin, manager, supervisor, qc — password {demo.DEMO_PASSWORD}")
            click.echo(f"    operators (Name + PIN tab): any name — PIN {demo.DEMO_PIN}")
        click.echo("")

    @app.cli.command("create-user")
    @click.option("--name", prompt=True)
    @click.option("--role", type=click.Choice(["operator", "qc", "supervisor", "manager", "admin"]),
                  default="admin", show_default=True)
    @click.option("--username", default=None, help="Staff sign-in name.")
    @click.option("--password", default=None, help="Staff password (prompted when missing).")
    @click.option("--pin", default=None, help="6-digit PIN for operators.")
    @click.option("--badge", default=None, help="Badge code for operators.")
    def create_user_cmd(name, role, username, password, pin, badge):
        """Create a user, e.g. the first admin: flask --app app create-user --role admin --username boss"""
        if role != "operator" and not password:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = create_user(name, role, username=username, password=password, pin=pin, badge_code=badge)
            db.session.commit()
        except DomainError as e:
            raise click.ClickException(e.message) from None
        click.echo(f"Created {user.role} #{user.id} {user.name}")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path())  # a str: a trailing / means a directory
    @click.option("--keep", type=int, default=None,
                  help="Keep only the newest N backups in the directory PATH (older ones are removed).")
    def backup_cmd(path: str, keep: int | None):
        """Copy the live database (safe while the floor scans). PATH: a file, or a directory for a
        timestamped file (shopfloor-<UTC time>.db, or .dump on PostgreSQL)."""
        try:
            done = backups.backup(db.engine.url, path, keep=keep)
        except backups.FAILURES as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Backup of the {backups.describe(db.engine.url)} written to {done.path}: "
                   f"{done.rows:,} rows in {len(done.tables)} tables, {done.size / 1e6:.1f} MB, "
                   f"{done.seconds:.1f} s.")
        for old in done.pruned:
            click.echo(f"Removed older backup {old.name}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_cmd(path: Path, yes: bool):
        """Replace the database with a backup made by `flask backup`. The server must be stopped."""
        url = db.engine.url
        try:
            backups.check_restorable(url, path)
            if not yes:
                click.confirm(f"Replace the {backups.describe(url)} with {path}? "
                              "Everything written since that backup is lost.", abort=True)
            tables = backups.restore(url, path)
        except backups.FAILURES as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Restored {path} into the {backups.describe(url)}: {sum(tables.values()):,} rows "
                   f"in {len(tables)} tables.")

