"""SSCC-18, the carton's serial shipping container code (PRODUCT.md "Packing and shipping").

extension digit + GS1 company prefix + serial reference (16 digits together) + mod-10 check digit, carried as
application identifier (00) in a GS1-128 barcode (Code 128 starting with FNC1).
"""
from __future__ import annotations

AI = "00"
FNC1 = "\xf1"  # reportlab's Code 128 FNC1


def check_digit(body: str) -> int:
    """GS1 mod-10: weights 3, 1, 3, ... from the rightmost digit of the body; check = (10 - sum mod 10) mod 10."""
    if not (body.isascii() and body.isdigit()):
        raise ValueError("digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def sscc(extension: int, company_prefix: str, serial: int) -> str:
    """The 18 digits for a serial reference (the carton's id), with its check digit."""
    room = 16 - len(company_prefix)
    if not 0 <= extension <= 9 or not 7 <= len(company_prefix) <= 10 or not company_prefix.isdigit():
        raise ValueError("extension 0-9 and a company prefix of 7-10 digits")
    if not 0 <= serial < 10 ** room:
        raise ValueError("serial reference out of range for this company prefix")
    body = f"{extension}{company_prefix}{serial:0{room}d}"
    return body + str(check_digit(body))


def is_valid(code: str) -> bool:
    return len(code) == 18 and code.isascii() and code.isdigit() and check_digit(code[:17]) == int(code[17])


def element_string(code: str) -> str:
    """As printed under the barcode: (00) 1 0614141 123456789 0 — spaced for reading (prefix length unknown,
    so extension, the next 16 digits, and the check digit)."""
    return f"({AI}) {code[0]} {code[1:17]} {code[17]}"


def barcode_data(code: str) -> str:
    """What the GS1-128 symbol encodes: FNC1, then AI 00 and the 18 digits."""
    return FNC1 + AI + code


def from_scan(text: str) -> str | None:
    """The 18 digits from a scanned or typed carton label: "(00)1061...", "]C1001061...", "001061..." or the
    18 digits alone; None if it is no valid SSCC."""
    t = (text or "").strip().replace("(", "").replace(")", "").replace(" ", "").replace("\x1d", "")
    t = t.removeprefix("]C1")
    if len(t) == 20 and t.startswith(AI):
        t = t[2:]
    return t if is_valid(t) else None
