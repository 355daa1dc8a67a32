"""The text of every PDF the app draws (bundle tickets, badge cards, carton labels, shipping papers).

A text is drawn in runs, one per script, each in its script's font: Noto Sans for Latin (Vietnamese too),
Noto Sans Bengali for U+0980–U+09FF, Noto Sans Devanagari for U+0900–U+097F. Digits, spaces and punctuation
stay in the run they stand in when its font has them (Noto Bengali and Devanagari have digits but no Latin
letters, and no "·"), else they go to Noto Sans. Bengali and Devanagari runs are shaped by HarfBuzz (uharfbuzz,
through ReportLab's `shapeStr`): vowel signs reordered ("কি" draws ি before ক), conjuncts joined. Latin is not
shaped (text is NFC, so Vietnamese letters are single glyphs) and reads back from the PDF exactly.

The fonts come from the system (Debian's `fonts-noto-core`), are registered with ReportLab on first use and
subset into each PDF; nothing is downloaded. A font whose file is missing is replaced by Helvetica (a warning
logged once): Latin still prints, other scripts do not.
"""
from __future__ import annotations

import functools
import logging
import threading
import unicodedata
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
LATIN, BENGALI, DEVANAGARI = "latin", "bengali", "devanagari"
FILES = {  # script -> (regular, bold) in FONT_DIR
    LATIN: ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    BENGALI: ("NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"),
    DEVANAGARI: ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
}
SHAPED = (BENGALI, DEVANAGARI)
FALLBACK = ("Helvetica", "Helvetica-Bold")
DANDAS = ("\u0964", "\u0965")  # in the Devanagari block, written in Bengali too: punctuation here
ELLIPSIS = "…"

log = logging.getLogger(__name__)
_lock = threading.Lock()  # ReportLab's font registry and a font's glyph tables (shapeStr adds to them) are shared


@functools.cache
def fonts() -> dict[tuple[str, bool], str]:
    """(script, bold) -> the ReportLab font name to draw it in; the Noto fonts are registered here, once."""
    chosen, missing = {}, []
    for script, files in FILES.items():
        for bold, file in zip((False, True), files):
            path = FONT_DIR / file
            if path.is_file():
                name = path.stem
                with _lock:  # two first requests at once register one font object, not two
                    if name not in pdfmetrics.getRegisteredFontNames():
                        pdfmetrics.registerFont(TTFont(name, str(path)))
                chosen[script, bold] = name
            else:
                missing.append(str(path))
                chosen[script, bold] = FALLBACK[bold]
    if missing:
        log.warning("PDF fonts missing (install Debian's fonts-noto-core): %s; Helvetica used instead, "
                    "which cannot print Bengali, Devanagari or Vietnamese", ", ".join(missing))
    return chosen


def _script(ch: str) -> str | None:
    """The script a character belongs to, or None for one that takes the run it stands in."""
    o = ord(ch)
    if 0x0980 <= o <= 0x09FF:
        return BENGALI
    if 0x0900 <= o <= 0x097F and ch not in DANDAS:
        return DEVANAGARI
    return LATIN if unicodedata.category(ch).startswith("L") else None


@functools.cache
def _has(font: str, ch: str) -> bool:
    ttf = pdfmetrics.getFont(font)
    return not isinstance(ttf, TTFont) or ord(ch) in ttf.face.charToGlyph  # Helvetica: whatever it does


def runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """The text as (font name, piece) runs, in order. Neutral characters (digits, spaces, punctuation) join the
    last script before them (the first one after them at the start) if its font has them, else Latin."""
    chosen = fonts()
    text = unicodedata.normalize("NFC", text)
    scripts = [_script(ch) for ch in text]
    current = next((s for s in scripts if s), LATIN)
    out: list[list[str]] = []
    for ch, script in zip(text, scripts):
        if script:
            current = script
        font = chosen[script or current, bold]
        if script is None and not _has(font, ch):
            font = chosen[LATIN, bold]
        if out and out[-1][0] == font:
            out[-1][1] += ch
        else:
            out.append([font, ch])
    return [(font, piece) for font, piece in out]


@functools.lru_cache(maxsize=4096)
def _piece(font: str, text: str, size: float) -> tuple[str, float]:
    """What to hand drawString for one run (shaped for Bengali and Devanagari) and its width in points."""
    ttf = pdfmetrics.getFont(font)
    if isinstance(ttf, TTFont) and ttf.shapable and any(_script(ch) in SHAPED for ch in text):
        with _lock:
            shaped = shapeStr(text, font, size)
        if isinstance(shaped, ShapedStr):
            return shaped, sum(g.x_advance for g in shaped.__shapeData__) * size / 1000
    return text, pdfmetrics.stringWidth(text, font, size)


def width(text: str, size: float, *, bold: bool = False) -> float:
    """The drawn width of text in points, as `draw` lays it out."""
    return sum(_piece(font, piece, size)[1] for font, piece in runs(text, bold=bold))


def fit(text: str, room: float, size: float, *, bold: bool = False) -> str:
    """The text cut to room points wide, ending in "…" when cut; never ends on a lone vowel sign or virama."""
    text = unicodedata.normalize("NFC", text)
    if width(text, size, bold=bold) <= room:
        return text

    def cut(n: int) -> str:
        kept = _whole(text[:n]).rstrip()
        return kept + ELLIPSIS if kept else ""

    lo, hi = 0, len(text) - 1  # the longest cut that fits, found in log(len) measurements (a name may be long)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if width(cut(mid), size, bold=bold) <= room:
            lo = mid
        else:
            hi = mid - 1
    return cut(lo)


def _whole(text: str) -> str:
    """Text without trailing combining marks or joiners: the cut ends on a whole letter."""
    while text and (unicodedata.category(text[-1]).startswith("M") or text[-1] in "\u200c\u200d"):
        text = text[:-1]
    return text


def largest(text: str, room: float, sizes: tuple[float, ...], *, bold: bool = False) -> float:
    """The first of sizes (largest first) at which text fits room, else the last."""
    return next((s for s in sizes if width(text, s, bold=bold) <= room), sizes[-1])


def wrap(text: str, room: float, size: float, *, bold: bool = False) -> list[str]:
    """Text broken between words into lines room points wide (a longer word stays whole on its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and width(f"{lines[-1]} {word}", size, bold=bold) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def draw(c: Canvas, x: float, y: float, text: str, size: float, *, bold: bool = False, align: str = "left",
         room: float | None = None) -> None:
    """Draw text with its baseline at y, starting at x (align "left"), centred on x ("centre") or ending at x
    ("right"); cut to room points wide first when room is given."""
    if room is not None:
        text = fit(text, room, size, bold=bold)
    pieces = [(font, *_piece(font, piece, size)) for font, piece in runs(text, bold=bold)]
    total = sum(w for _, _, w in pieces)
    x -= {"left": 0, "centre": total / 2, "right": total}[align]
    for font, piece, w in pieces:
        c.setFont(font, size)
        c.drawString(x, y, piece)
        x += w
