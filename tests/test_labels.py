"""Carton labels: SSCC-18 check digits against GS1's published examples, the PDF's GS1-128 barcode decoded,
ZPL for Zebra printers (cartons and bundle tickets), and ZPL received by a fake network printer."""
from __future__ import annotations

import io
import socket
import subprocess
import threading

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models.packing import Carton
from shopfloor.packing import labels, printer, sscc, zpl
from shopfloor.errors import DomainError
from tests.conftest import login
from tests.packing_support import planned_order


@pytest.mark.parametrize("body,check", [
    ("10614141234567890", 8),   # GS1 General Specifications: (00) 1 0614141 234567890 8
    ("37610425002123456", 9),   # GS1 logistic label guideline: (00) 3 7610425 002123456 9
    ("00614141000000001", 2),
])
def test_check_digit_matches_published_examples(body, check):
    assert sscc.check_digit(body) == check
    assert sscc.is_valid(body + str(check)) and not sscc.is_valid(body + str((check + 1) % 10))


def test_sscc_from_extension_prefix_and_serial_and_back_from_a_scan():
    code = sscc.sscc(1, "0614141", 234567890)
    assert code == "106141412345678908"
    assert sscc.sscc(3, "7610425", 2123456) == "376104250021234569"
    for scanned in (code, f"(00){code}", f"00{code}", f"]C100{code}", f"(00) {code[:1]} {code[1:]}"):
        assert sscc.from_scan(scanned) == code
    assert sscc.from_scan("106141412345678907") is None
    with pytest.raises(ValueError):
        sscc.sscc(1, "0614141", 10 ** 9)  # 9 digits of serial room with a 7-digit prefix


def _decode_pdf(pdf: bytes, tmp_path) -> list:
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), str(tmp_path / "page")], check=True)
    out = []
    for png in sorted(tmp_path.glob("page*.png")):
        out += zxingcpp.read_barcodes(Image.open(png))
    return out


def test_label_pdf_barcode_decodes_as_gs1_128_with_the_cartons_sscc(client, factory, tmp_path):
    order, _m = planned_order(factory)
    cartons = db.session.scalars(select(Carton).order_by(Carton.number)).all()
    login(client, factory.user("packer"))
    resp = client.get(f"/packing/orders/{order.id}/labels.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    found = _decode_pdf(resp.data, tmp_path)
    assert [r.text for r in found] == [f"(00){c.sscc}" for c in cartons]
    assert all(r.format == zxingcpp.BarcodeFormat.Code128 and r.symbology_identifier == "]C1" for r in found)
    assert all(r.content_type == zxingcpp.ContentType.GS1 for r in found)
    text = subprocess.run(["pdftotext", "-", "-"], input=resp.data, capture_output=True).stdout.decode()
    assert f"Order {order.number}" in text and "Carton 1 of 3" in text and "S × 20" in text
    assert sscc.element_string(cartons[0].sscc) in text


def test_label_zpl_carries_the_sscc_with_fnc1_and_escapes_text(client, factory):
    order, _m = planned_order(factory)
    c1 = db.session.scalar(select(Carton).where(Carton.number == 1))
    login(client, factory.user("packer"))
    resp = client.get(f"/packing/orders/{order.id}/labels.zpl", query_string={"cartons": str(c1.id)})
    body = resp.text
    assert body.count("^XA") == 1 and body.rstrip().endswith("^XZ")
    assert f"^BCN,200,N,N,N^FD>;>800{c1.sscc}^FS" in body
    assert "Carton 1 of 3" in body
    assert zpl.text("A^B~C_D") == "A_5EB_7EC_5FD"


def test_bundle_tickets_have_a_zpl_layout(client, factory):
    order = factory.order()
    login(client, factory.user("manager"))
    resp = client.get(f"/orders/{order.id}/tickets.zpl")
    assert resp.status_code == 200
    assert resp.text.count("^XA") == 2 and "^BQN,2,5^FH^FDMA,http://shopfloor.test/b/" in resp.text


class FakePrinter:
    """A raw TCP printer on 127.0.0.1: keeps what each connection sent."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _addr = self.sock.accept()
        with conn:
            buf = io.BytesIO()
            while chunk := conn.recv(65536):
                buf.write(chunk)
            self.received.append(buf.getvalue())

    def close(self):
        self.sock.close()


def test_labels_sent_to_the_network_printer(app, client, factory):
    order, _m = planned_order(factory)
    fake = FakePrinter()
    app.config["LABEL_PRINTER"] = f"127.0.0.1:{fake.port}"
    try:
        login(client, factory.user("packer"))
        page = client.get(f"/packing/orders/{order.id}")
        assert f"Print on 127.0.0.1:{fake.port}" in page.text
        resp = client.post(f"/packing/orders/{order.id}/labels/print", follow_redirects=True)
        fake.thread.join(5)
        assert "3 labels sent to the label printer." in resp.text
        expected = labels.render_zpl(labels.carton_labels(order.id))
        assert fake.received == [expected.encode()]
    finally:
        fake.close()
        app.config["LABEL_PRINTER"] = ""


def test_a_printer_that_does_not_answer_is_refused_with_a_message(app, client, factory):
    order, _m = planned_order(factory)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    app.config["LABEL_PRINTER"] = f"127.0.0.1:{port}"
    try:
        login(client, factory.user("packer"))
        resp = client.post(f"/packing/orders/{order.id}/labels/print")
        assert resp.status_code == 502 and "did not answer" in resp.text
    finally:
        app.config["LABEL_PRINTER"] = ""
    with pytest.raises(DomainError) as e:
        printer.address("")
    assert e.value.code == "no_printer"
    assert printer.address("zebra.local") == ("zebra.local", 9100)


def test_bundle_tickets_sent_to_the_network_printer(app, client, factory):
    order = factory.order()  # 20 pieces: 2 bundles of 10
    fake = FakePrinter()
    app.config["LABEL_PRINTER"] = f"127.0.0.1:{fake.port}"
    try:
        login(client, factory.user("manager"))
        page = client.get(f"/orders/{order.id}")
        assert f"Print tickets on 127.0.0.1:{fake.port}" in page.text
        resp = client.post(f"/orders/{order.id}/tickets/print", follow_redirects=True)
        fake.thread.join(5)
        assert "2 tickets sent to the label printer." in resp.text
        [sent] = fake.received
        assert sent.count(b"^XA") == 2 and b"^BQN" in sent
    finally:
        fake.close()
        app.config["LABEL_PRINTER"] = ""
