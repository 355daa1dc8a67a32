"""Blueprint registry: one line per floor area."""
from __future__ import annotations

from importlib import import_module

from flask import Flask

BLUEPRINTS = [
    "shopfloor.auth.routes",
    "shopfloor.auth.admin",
    "shopfloor.home.routes",
    "shopfloor.scan.routes",
    "shopfloor.scan.api",
    "shopfloor.api.routes",
    "shopfloor.api.admin",
    "shopfloor.scan.pwa",
    "shopfloor.lan.routes",
    "shopfloor.tickets.routes",
    "shopfloor.board.routes",
    "shopfloor.quality.routes",
    "shopfloor.planning.routes",
    "shopfloor.imports.routes",
    "shopfloor.review.routes",
    "shopfloor.supervise.routes",
    "shopfloor.stoppages.routes",
    "shopfloor.shifts.routes",
    "shopfloor.attendance.routes",
    "shopfloor.people.routes",
    "shopfloor.people.import_routes",
    "shopfloor.people.line_routes",
    "shopfloor.balance.routes",
    "shopfloor.packing.routes",
    "shopfloor.packing.shipping_routes",
    "shopfloor.names.routes",
]


def register(app: Flask) -> None:
    for path in BLUEPRINTS:
        app.register_blueprint(import_module(path).bp)
