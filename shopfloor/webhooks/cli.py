"""`flask --app app webhooks`: the delivery worker (shopfloor/webhooks/delivery.py)."""
from __future__ import annotations

import click
from flask import Flask

from shopfloor.webhooks import delivery


def register(app: Flask) -> None:
    @app.cli.command("webhooks")
    @click.option("--once", is_flag=True, help="Post what is due now, then stop.")
    @click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
    def webhooks(once: bool, interval: float):
        """Post pending webhook deliveries (signed JSON) with retries; runs until stopped."""
        if not once:
            click.echo(f"Webhook deliveries: looking every {interval:g} s (Ctrl+C stops).")
        delivery.run(interval=interval, once=once, echo=click.echo)
