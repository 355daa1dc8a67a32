"""CSV import of operators (dry run with every row's errors and nothing written; confirm imports all or none) and
badge cards as a PDF whose QR codes sign in."""
from __future__ import annotations

import io
import re
import subprocess

import zxingcpp
from flask import g
from PIL import Image
from sqlalchemy import select

from shopfloor.auth import services as auth
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, User
from shopfloor.people import csv_import
from tests.conftest import login
from tests.html_forms import SAVED, count, form_for, send

GOOD = "name,line,pin,language,badge\nAmina Akter,L1,482913,es,OLD-001\nRahim Uddin,l1,,,\n"


def _forget():
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


def _manager(client, factory):
    login(client, factory.user("manager"))
    return client


def _upload(client, text: str, *, name="people.csv", encoding="utf-8"):
    return client.post("/people/import/check", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode(encoding)), name)})


def _errors(html: str) -> list[tuple[int, str, str]]:
    return [(int(r), f, m) for r, f, m in
            re.findall(r'<tr data-row="(\d+)"><td class="num">\d+</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)]


def test_dry_run_lists_every_rows_errors_and_writes_nothing(client, factory):
    factory.line("L1")
    factory.user("operator", name="Existing Person")
    _manager(client, factory)
    before = count(User)
    text = ("name;line;pin;language;badge;shoe size\n"        # a spreadsheet in Spanish saves with semicolons
            "Good One;L1;123456;es;\n"
            ";L1;;;\n"
            "Bad Pin;L1;12a;;\n"
            "Existing Person;L9;;fr;\n"
            "Good One;;;;\n"
            "Badge Twin;;;;B-1\n"
            "Badge Twin 2;;;;B-1\n")
    resp = _upload(client, text)
    assert resp.status_code == 422
    assert "nothing was imported" in resp.text
    errors = _errors(resp.text)
    assert (1, "shoe size", "Unknown column. The columns are: name, line, pin, language, badge.") in errors
    assert (3, "Name", "A name is required.") in errors
    assert (4, "PIN", "The PIN must be 6 digits.") in errors
    assert any(e[:2] == (5, "Name") and "already an active person called Existing Person" in e[2] for e in errors)
    assert (5, "Line", "No line in use has the code L9.") in errors
    assert (5, "Language", "The language must be one of: en, es, bn, vi, hi.") in errors
    assert (6, "Name", "Same name as row 2.") in errors
    assert (8, "Badge", "Same badge as row 7.") in errors
    assert 'action="/people/import/confirm"' not in resp.text      # no way to import a file with errors
    assert count(User) == before and count(AuditEntry) == 0


def test_a_clean_file_is_checked_then_imported_once_all_rows(app, client, factory):
    line = factory.line("L1")
    _manager(client, factory)
    check = _upload(client, "\ufeff" + GOOD)                      # Excel's "CSV UTF-8" starts with a BOM
    assert check.status_code == 200 and "All 2 rows are fine. Nothing is saved until you import them." in check.text
    assert count(User, User.role == "operator") == 0
    form = form_for(check.text, "/people/import/confirm")
    first = send(client, form, form.data(), page="/people/import")
    _forget()
    second = send(client, form, form.data(), page="/people/import")
    assert first.status_code == 200 and "Imported: 2 operators." in first.text
    assert first.headers["Cache-Control"] == "no-store"
    assert SAVED in second.text and count(User, User.role == "operator") == 2
    amina = db.session.scalars(select(User).where(User.name == "Amina Akter")).one()
    rahim = db.session.scalars(select(User).where(User.name == "Rahim Uddin")).one()
    assert (amina.line_id, amina.language, amina.badge_code) == (line.id, "es", "OLD-001")
    assert (rahim.line_id, rahim.language) == (line.id, "en") and rahim.badge_code.startswith("B")
    made = re.findall(r"<td data-made-pin>([^<]+)</td>", first.text)
    assert made[0] == "from the file" and re.fullmatch(r"\d{6}", made[1])
    assert auth.login_with_pin(amina.id, "482913").id == amina.id
    assert auth.login_with_pin(rahim.id, made[1]).id == rahim.id
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person_add")).all()
    assert {e.target for e in entries} == {f"user:{amina.id}", f"user:{rahim.id}"}
    assert {e.details for e in entries} == {"CSV row 2", "CSV row 3"}


def test_confirm_checks_again_and_imports_nothing_when_a_row_went_bad(client, factory):
    factory.line("L1")
    _manager(client, factory)
    check = _upload(client, GOOD)
    form = form_for(check.text, "/people/import/confirm")
    factory.user("operator", name="Rahim Uddin")             # added meanwhile by someone else
    resp = send(client, form, form.data(), page="/people/import")
    assert resp.status_code == 422 and "Nothing was imported" in resp.text
    assert (3, "Name") in [e[:2] for e in _errors(resp.text)]
    assert count(User, User.name == "Amina Akter") == 0          # all or nothing


def test_pasted_rows_unreadable_files_and_limits(client, factory):
    factory.line("L1")
    _manager(client, factory)
    pasted = client.post("/people/import/check", data={"csv_text": "name\nPasted Person\n"})
    assert pasted.status_code == 200 and "All 1 rows are fine" in pasted.text
    for resp, message in [
        (_upload(client, "name,line\nJosé,L1\n", encoding="latin-1"), 'save it as &#34;CSV UTF-8&#34;'),
        (_upload(client, "line,pin\nL1,123456\n"), "at least a name column"),
        (_upload(client, ""), "The file is empty"),
        (_upload(client, "name\n" + "x\n" * 10 + "\x00"), "This is not a CSV file."),
        (_upload(client, "name\n" + "".join(f"P{i}\n" for i in range(csv_import.MAX_ROWS + 1))), "At most 500"),
        (_upload(client, "name\n" + "x" * (csv_import.MAX_BYTES + 1)), "The file is too large"),
        (client.post("/people/import/check", data={}), "The file is empty"),
    ]:
        assert 400 <= resp.status_code < 500 and message in resp.text, (message, resp.status_code, resp.text[:300])
    assert count(User, User.role == "operator") == 0


def test_exported_quote_is_read_back_and_the_sample_downloads(client, factory):
    _manager(client, factory)
    resp = client.post("/people/import/check", data={"csv_text": "name\n'=Odd Name\n"})
    assert "<td>=Odd Name</td>" in resp.text
    sample = client.get("/people/import/sample.csv")
    assert sample.mimetype == "text/csv" and sample.text.splitlines()[0] == "name,line,pin,language,badge"
    assert csv_import.read(sample.text).errors == [
        csv_import.RowError(2, "Line", "No line in use has the code L1."),
        csv_import.RowError(3, "Line", "No line in use has the code L1.")]


# --- badge cards -----------------------------------------------------------------------------------

def _pages(tmp_path, data: bytes) -> list[Image.Image]:
    pdf = tmp_path / "badges.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "p")], check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob("p-*.png"))]


def _text(tmp_path, data: bytes) -> str:
    pdf = tmp_path / "badges.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def test_badge_sheet_of_a_line_decodes_and_signs_in(app, client, factory, tmp_path):
    l1, l2 = factory.line("L1"), factory.line("L2")
    ops = [factory.user("operator", line=l1, name=f"Operator {n:02d}") for n in range(12)]
    factory.user("operator", line=l2, name="Other Line")
    gone = factory.user("operator", line=l1, name="Gone")
    factory.update(gone, active=False)
    _manager(client, factory)
    resp = client.get("/people/badges.pdf", query_string={"line": l1.id})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pages = _pages(tmp_path, resp.data)
    assert len(pages) == 2                                      # 10 cards a sheet
    decoded = [r.text for page in pages for r in zxingcpp.read_barcodes(page)]
    assert sorted(decoded) == sorted(auth.badge_payload(u) for u in ops)
    text = _text(tmp_path, resp.data)
    assert "Operator 00" in text and "L1 · Line" in text and "Photo" in text and "Gone" not in text
    _forget()
    phone = app.test_client()
    signed = phone.post("/login/badge", data={"badge": decoded[0]})
    assert signed.status_code == 302


def test_badges_of_the_ones_ticked_and_nothing_to_print(client, factory, tmp_path):
    line = factory.line()
    a, b, c = (factory.user("operator", line=line, name=n) for n in ("Ana", "Bea", "Cai"))
    _manager(client, factory)
    resp = client.get("/people/badges.pdf", query_string=[("person", a.id), ("person", c.id)])
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(_pages(tmp_path, resp.data)[0]))
    assert decoded == sorted([auth.badge_payload(a), auth.badge_payload(c)])
    assert f'name="person" value="{b.id}"' in client.get("/people").text        # the list's checkboxes
    empty = client.get("/people/badges.pdf", query_string={"person": "x"})
    assert empty.status_code == 404 and "Nobody to print" in empty.text
