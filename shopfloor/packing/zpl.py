"""ZPL II for Zebra label printers (203 dpi): carton labels (4 x 6 in, GS1-128 SSCC) and bundle tickets
(4 x 2 in, QR). Text goes through ^FH hex escapes, so a name with ^ or ~ cannot break the label."""
from __future__ import annotations

from dataclasses import dataclass, field


def text(value) -> str:
    """A field's text with ZPL's command characters escaped (^FH uses _ as the escape)."""
    out = []
    for ch in str(value):
        out.append(f"_{ord(ch):02X}" if ch in "^~_" else ch)
    return "".join(out)


def _field(x: int, y: int, size: int, value, bold: bool = False) -> str:
    return f"^FO{x},{y}^A0N,{size},{size if not bold else int(size * 1.1)}^FH^FD{text(value)}^FS"


@dataclass(frozen=True)
class CartonLabel:
    sscc: str
    element: str        # "(00) 1 0614141000000001 8"
    order: str
    customer: str
    style: str
    colour: str
    carton_of: str      # "Carton 3 of 12", translated by the caller
    contents: list[str] = field(default_factory=list)  # "M 12", one per size
    pieces: str = ""    # "24 pcs"
    weights: str = ""   # "N.W. 6.2 kg · G.W. 7.0 kg"


def carton_label(c: CartonLabel) -> str:
    rows = [_field(40, 40, 44, c.customer), _field(40, 100, 36, c.order), _field(40, 150, 36, c.style),
            _field(40, 200, 36, c.colour), _field(40, 260, 60, c.carton_of)]
    y = 350
    for line in c.contents[:8]:
        rows.append(_field(60, y, 40, line))
        y += 50
    rows += [_field(40, 770, 40, c.pieces), _field(40, 820, 32, c.weights),
             "^FO40,880^GB732,3,3^FS",
             "^FO60,920^BY4^BCN,200,N,N,N^FD>;>800" + c.sscc + "^FS",
             _field(60, 1140, 36, c.element)]
    return "^XA^CI28^PW812^LL1218\n" + "\n".join(rows) + "\n^XZ\n"


@dataclass(frozen=True)
class TicketLabel:
    payload: str
    code: str
    style: str
    line2: str   # "ORD-1 #3"
    line3: str   # "M · Blue"
    pieces: str  # "10 pcs"


def ticket_label(t: TicketLabel) -> str:
    return ("^XA^CI28^PW812^LL406\n"
            f"^FO20,20^BQN,2,5^FH^FDMA,{text(t.payload)}^FS\n"
            + "\n".join([_field(400, 40, 60, t.code), _field(400, 120, 34, t.style), _field(400, 170, 34, t.line2),
                         _field(400, 220, 34, t.line3), _field(400, 270, 40, t.pieces)])
            + "\n^XZ\n")
