"""Sending ZPL to a network label printer: raw TCP, port 9100 unless the setting names another
(config.LABEL_PRINTER, env SHOPFLOOR_LABEL_PRINTER, "host" or "host:port")."""
from __future__ import annotations

import socket

from flask_babel import gettext as _

from shopfloor.errors import DomainError

DEFAULT_PORT = 9100
TIMEOUT_S = 5.0


def address(setting: str) -> tuple[str, int]:
    host, _sep, port = (setting or "").strip().rpartition(":") if ":" in (setting or "") else (setting.strip(), "", "")
    if not host:
        raise DomainError(_("No label printer is set (SHOPFLOOR_LABEL_PRINTER)."), status=409, code="no_printer")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise DomainError(_("The label printer setting is not host:port."), status=409, code="no_printer")
    return host, int(port) if port else DEFAULT_PORT


def send(zpl: str, setting: str, timeout: float = TIMEOUT_S) -> int:
    """Send the labels; returns the bytes sent. A printer that cannot be reached refuses with a message."""
    host, port = address(setting)
    data = zpl.encode("utf-8")
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(data)
    except OSError:
        raise DomainError(_("The label printer %(printer)s did not answer. Check that it is on and on the "
                            "network.", printer=f"{host}:{port}"), status=502, code="printer") from None
    return len(data)
