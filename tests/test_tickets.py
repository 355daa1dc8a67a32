"""Bundle tickets: a PDF whose QR codes really decode to the signed payloads."""
from __future__ import annotations

import subprocess

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from shopfloor import security
from shopfloor.extensions import db
from shopfloor.models import Bundle
from tests.conftest import login


def _render_page(tmp_path, data: bytes, page: int = 1) -> Image.Image:
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(pdf),
                    str(tmp_path / "p")], check=True)
    return Image.open(next(tmp_path.glob("p-*.png")))


def _pdf_text(tmp_path, data: bytes) -> str:
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("layout", ["a4", "label"])
def test_ticket_qr_decodes_to_signed_url(client, factory, tmp_path, layout):
    _, style, order, _ = factory.floor()
    mgr = factory.user("manager")
    login(client, mgr)
    resp = client.get(f"/orders/{order.id}/tickets.pdf", query_string={"layout": layout})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert f"tickets-{order.number}-{layout}.pdf" in resp.headers["Content-Disposition"]
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
    decoded = {r.text for r in zxingcpp.read_barcodes(_render_page(tmp_path, resp.data))}
    first = f"http://shopfloor.test/b/{security.sign('bundle', bundles[0].code)}"
    assert first in decoded
    if layout == "a4":  # both bundles on one sheet
        assert decoded == {f"http://shopfloor.test/b/{security.sign('bundle', b.code)}" for b in bundles}
    text = _pdf_text(tmp_path, resp.data)
    for b in bundles:
        assert b.code in text
    assert order.number in text and style.code in text and "10 pcs" in text


def test_selected_bundles_only(client, factory, tmp_path):
    _, style, order, _ = factory.floor()
    login(client, factory.user("manager"))
    b = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
    resp = client.get(f"/orders/{order.id}/tickets.pdf?layout=label&bundles={b[1].id}")
    text = _pdf_text(tmp_path, resp.data)
    assert b[1].code in text and b[0].code not in text


def test_ticket_errors(client, factory):
    line = factory.line()
    style = factory.style()
    uncut = factory.order(style=style, line=line, cut=False)
    login(client, factory.user("manager"))
    resp = client.get(f"/orders/{uncut.id}/tickets.pdf")
    assert resp.status_code == 409 and "Cut it into bundles first" in resp.text
    missing = client.get("/orders/99999/tickets.pdf")
    assert missing.status_code == 404 and "That order does not exist." in missing.text
    bad = client.get(f"/orders/{uncut.id}/tickets.pdf?layout=poster")
    assert bad.status_code == 422 and "Unknown ticket layout" in bad.text


def test_operators_cannot_print_tickets(client, factory):
    _, _, order, op = factory.floor()
    login(client, op)
    refused = client.get(f"/orders/{order.id}/tickets.pdf")
    assert refused.status_code == 403 and "Your role does not allow this page." in refused.text
    assert refused.mimetype != "application/pdf" and not refused.data.startswith(b"%PDF")
