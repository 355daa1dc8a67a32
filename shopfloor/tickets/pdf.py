"""Bundle tickets as PDF: an A4 sheet of 3 x 8 labels, or one 4 x 2 inch thermal label per page.

QR codes are drawn straight from the qrcode matrix as filled rectangles (runs of dark modules),
which is much faster than rendering and embedding an image per ticket.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from shopfloor import pdf_fonts

LAYOUTS = ("a4", "label")


@dataclass(frozen=True)
class Ticket:
    payload: str     # what the QR holds (signed token or URL)
    code: str        # short human-readable code
    style: str
    order: str
    size: str
    colour: str
    pieces: int
    number: int
    customer: str = ""
    pieces_label: str = ""   # e.g. "10 pcs", translated by the caller


def qr_matrix(payload: str) -> list[list[bool]]:
    # A fixed mask pattern skips the costly mask evaluation; any mask is valid for readers.
    q = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=2)
    q.add_data(payload)
    q.make(fit=True)
    return q.get_matrix()


def draw_qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw a QR with its bottom-left corner at (x, y), size points wide (quiet zone is the caller's)."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    cell = size / n
    path = c.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * cell
        start = None
        for col in range(n + 1):
            dark = col < n and row[col]
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + start * cell, top, (col - start) * cell, cell)
                start = None
    c.drawPath(path, stroke=0, fill=1)


def _text_block(c: Canvas, t: Ticket, x: float, top: float, width: float, scale: float) -> None:
    pdf_fonts.draw(c, x, top - 14 * scale, t.code, 15 * scale, bold=True)
    pdf_fonts.draw(c, x, top - 26 * scale, t.style, 8.5 * scale, bold=True, room=width)
    lines = [f"{t.order}  #{t.number}", f"{t.size} · {t.colour}", t.pieces_label or str(t.pieces)]
    for i, line in enumerate(lines):
        pdf_fonts.draw(c, x, top - (37 + 10 * i) * scale, line, 8 * scale, room=width)


def render(tickets: list[Ticket], layout: str = "a4", *, compress: bool = True, title: str = "") -> bytes:
    if layout not in LAYOUTS:
        raise ValueError(layout)
    buf = io.BytesIO()
    if layout == "a4":
        _render_a4(tickets, buf, compress, title)
    else:
        _render_labels(tickets, buf, compress, title)
    return buf.getvalue()


A4_COLS, A4_ROWS = 3, 8
A4_LABEL_W, A4_LABEL_H = 70 * mm, 37.125 * mm


def _render_a4(tickets: list[Ticket], buf, compress: bool, title: str) -> None:
    c = Canvas(buf, pagesize=A4, pageCompression=1 if compress else 0, invariant=1)
    c.setTitle(title)
    per_page = A4_COLS * A4_ROWS
    for i, t in enumerate(tickets):
        if i and i % per_page == 0:
            c.showPage()
        slot = i % per_page
        col, row = slot % A4_COLS, slot // A4_COLS
        x0 = col * A4_LABEL_W
        y0 = A4[1] - (row + 1) * A4_LABEL_H
        pad = 3 * mm
        qr = A4_LABEL_H - 2 * pad
        draw_qr(c, t.payload, x0 + pad, y0 + pad, qr)
        tx = x0 + pad + qr + 2.5 * mm
        _text_block(c, t, tx, y0 + A4_LABEL_H - pad, x0 + A4_LABEL_W - tx - pad, 1.0)
        c.setLineWidth(0.2)
        c.setStrokeGray(0.8)
        c.rect(x0, y0, A4_LABEL_W, A4_LABEL_H, stroke=1, fill=0)
    c.save()


LABEL_SIZE = (4 * inch, 2 * inch)


def _render_labels(tickets: list[Ticket], buf, compress: bool, title: str) -> None:
    c = Canvas(buf, pagesize=LABEL_SIZE, pageCompression=1 if compress else 0, invariant=1)
    c.setTitle(title)
    w, h = LABEL_SIZE
    pad = 0.12 * inch
    qr = h - 2 * pad
    for i, t in enumerate(tickets):
        if i:
            c.showPage()
        draw_qr(c, t.payload, pad, pad, qr)
        tx = pad + qr + 0.15 * inch
        _text_block(c, t, tx, h - pad, w - tx - pad, 1.45)
    c.save()
