"""QR codes of the phone set-up addresses: SVG for the /setup page, text blocks for the banner."""
from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathFillImage


def _code(text: str, border: int) -> qrcode.QRCode:
    q = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    q.add_data(text)
    q.make(fit=True)
    return q


def svg(text: str) -> bytes:
    """Black modules on a white square (no style attributes: the CSP allows none)."""
    return _code(text, border=4).make_image(image_factory=SvgPathFillImage).to_string()


def terminal(text: str, indent: str = "    ") -> str:
    """Half-block characters, light modules drawn solid (a terminal's text is light on dark)."""
    out = io.StringIO()
    _code(text, border=2).print_ascii(out=out, invert=True)
    return "\n".join(indent + line for line in out.getvalue().splitlines())
