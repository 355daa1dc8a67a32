"""Badge cards as a printable PDF: an A4 sheet of 10 ID-card-sized cards (85.6 x 54 mm, 2 x 5), each with the
QR of the signed badge payload (what the sign-in page's scanner reads), the name, the line, the badge code and
a box for a photo. Cut along the grey lines and laminate."""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shopfloor import pdf_fonts
from shopfloor.tickets.pdf import draw_qr

CARD_W, CARD_H = 85.6 * mm, 54 * mm
COLS, ROWS = 2, 5
PER_PAGE = COLS * ROWS
MARGIN_X = (A4[0] - COLS * CARD_W) / 2
MARGIN_Y = (A4[1] - ROWS * CARD_H) / 2
MAX_CARDS = 1000


@dataclass(frozen=True)
class Card:
    payload: str      # the signed badge payload (auth/services.badge_payload)
    name: str
    line: str         # "L1 · Line 1", or "" when the person has no line
    code: str         # the badge code, printed small to read out
    photo_label: str  # "Photo", translated by the caller


def render(cards: list[Card], *, title: str = "") -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, invariant=1)
    c.setTitle(title)
    for i, card in enumerate(cards):
        if i and i % PER_PAGE == 0:
            c.showPage()
        slot = i % PER_PAGE
        x0 = MARGIN_X + (slot % COLS) * CARD_W
        y0 = A4[1] - MARGIN_Y - (slot // COLS + 1) * CARD_H
        _card(c, card, x0, y0)
    c.save()
    return buf.getvalue()


def _card(c: Canvas, card: Card, x0: float, y0: float) -> None:
    pad = 4 * mm
    c.setLineWidth(0.3)
    c.setStrokeGray(0.7)
    c.roundRect(x0, y0, CARD_W, CARD_H, 3 * mm, stroke=1, fill=0)
    # photo box, top left
    photo_w, photo_h = 22 * mm, 28 * mm
    px, py = x0 + pad, y0 + CARD_H - pad - photo_h
    c.setDash(2, 2)
    c.rect(px, py, photo_w, photo_h, stroke=1, fill=0)
    c.setDash()
    c.setFillGray(0.55)
    pdf_fonts.draw(c, px + photo_w / 2, py + photo_h / 2 - 2, card.photo_label, 7, align="centre", room=photo_w - 2)
    # QR, right (a quiet zone of 2 mm inside the card)
    qr = CARD_H - 2 * pad - 4 * mm
    qx, qy = x0 + CARD_W - pad - qr, y0 + pad + 4 * mm
    c.setFillGray(0)
    draw_qr(c, card.payload, qx, qy, qr)
    pdf_fonts.draw(c, qx + qr / 2, y0 + pad, card.code, 7, align="centre")
    # name and line, under the photo
    text_w = qx - (x0 + pad) - 3 * mm
    size = pdf_fonts.largest(card.name, text_w, (11, 10, 9, 8), bold=True)
    pdf_fonts.draw(c, x0 + pad, py - 6 * mm, card.name, size, bold=True, room=text_w)
    if card.line:
        pdf_fonts.draw(c, x0 + pad, py - 10.5 * mm, card.line, 8.5, room=text_w)
