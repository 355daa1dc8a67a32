"""Bundle references as scanned or typed: signed QR payloads, /b/ URLs, or the short code."""
from __future__ import annotations

import re
import secrets

from flask_babel import gettext as _

from shopfloor import security
from shopfloor.errors import DomainError

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read and type
CODE_LEN = 7
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{4,12}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))


def ticket_payload(code: str, base_url: str = "") -> str:
    """What the ticket's QR holds: a signed token, as a URL when a public base URL is set."""
    token = security.sign("bundle", code)
    return f"{base_url.rstrip('/')}/b/{token}" if base_url else token


def parse_reference(raw: str) -> str:
    """The bundle code from a scan or typed input. Forged or altered signed payloads are refused."""
    text = (raw or "").strip()
    if not text:
        raise DomainError(_("Scan a bundle ticket or type its code."))
    if "/b/" in text:
        text = text.rsplit("/b/", 1)[1].split("?", 1)[0].split("#", 1)[0]
    if security.has_signature(text):
        code = security.unsign("bundle", text)
        if code is None:
            raise DomainError(_("This ticket is not genuine (its signature does not match). "
                                "Give it to your supervisor."), status=422, code="forged")
        return code
    code = text.upper().replace("-", "").replace(" ", "")
    if not _CODE_RE.match(code):
        raise DomainError(_("“%(code)s” is not a bundle code.", code=raw.strip()[:40]), status=422,
                          code="invalid")
    return code
