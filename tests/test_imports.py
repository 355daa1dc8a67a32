"""Spreadsheet import of styles (with bulletins) and orders, CSV and XLSX: a dry run lists every error by row
and column and writes nothing; the import checks again and writes everything or nothing, once."""
from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime
from decimal import Decimal

from flask import g
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.imports import orders as order_import, readers, routes
from shopfloor.models import AuditEntry, Milestone, Operation, Order, Style
from tests.conftest import login
from tests.html_forms import SAVED, count, form_for, send

STYLE_HEADER = ["style code", "style name", "sizes", "seq", "operation", "machine", "SAM", "piece rate", "QC point"]
STYLES_PAGE, ORDERS_PAGE = "/styles", "/orders"
ORDER_HEADER = ["order number", "customer", "style code", "line code", "due date", "size", "colour", "quantity"]


def _forget():
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, kind: str, data: bytes, name: str):
    return client.post(f"/import/{kind}/check", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def _errors(html: str) -> list[tuple[int, str, str]]:
    return [(int(r), c, m) for r, c, m in
            re.findall(r'<tr data-row="(\d+)"><td class="num">\d+</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)]


def _confirm(client, check, kind: str):
    form = form_for(check.text, f"/import/{kind}/confirm")
    return send(client, form, form.data(), page=f"/import/{kind}")


def _manager(client, factory):
    user = factory.user("manager")
    login(client, user)
    return user


def test_a_clean_xlsx_of_styles_is_checked_then_imported_exactly(app, client, factory):
    manager = _manager(client, factory)
    data = _xlsx([STYLE_HEADER,
                  ["T100", "Basic tee", "S,M,L,XL", 1, "Join shoulders", "Overlock", 0.35, None, "no"],
                  ["T100", None, None, 2, "Attach sleeves", "Overlock", 0.6, 0.0125, "yes"],
                  [],                                                    # a blank row is skipped
                  ["t100", "Basic tee", "S, M, L, XL", 3, "Hem", None, 1, 0.05, True],
                  ["P200", "Polo", "M,L", 2, "Collar", "Single needle", 1.125, 0.1, None],
                  ["P200", None, None, 1, "Placket", "Single needle", 2.5, None, "x"]])
    check = _upload(client, "styles", data, "bulletins.xlsx")
    assert check.status_code == 200, _errors(check.text)
    assert "Every row is fine. Nothing is saved until you import them." in check.text
    assert count(Style) == 0 and count(Operation) == 0
    done = _confirm(client, check, "styles")
    assert done.status_code == 200 and "Imported: 2 styles." in done.text
    tee = db.session.scalars(select(Style).where(Style.code == "T100")).one()
    assert (tee.name, tee.sizes) == ("Basic tee", ["S", "M", "L", "XL"])
    ops = [(o.seq, o.name, o.machine, o.sam, o.piece_rate, o.qc_point) for o in tee.operations]
    wage = Decimal(str(app.config["WAGE_PER_MINUTE"]))
    assert ops == [(1, "Join shoulders", "Overlock", Decimal("0.35"), (Decimal("0.35") * wage).quantize(Decimal("0.0001")),
                    False),
                   (2, "Attach sleeves", "Overlock", Decimal("0.6"), Decimal("0.0125"), True),
                   (3, "Hem", "", Decimal("1"), Decimal("0.05"), True)]
    polo = db.session.scalars(select(Style).where(Style.code == "P200")).one()
    assert [(o.seq, o.name, o.sam) for o in polo.operations] == [(1, "Placket", Decimal("2.5")),
                                                                  (2, "Collar", Decimal("1.125"))]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "style_import")).all()
    assert {(e.actor_id, e.target) for e in entries} == {(manager.id, f"style:{tee.id}"), (manager.id, f"style:{polo.id}")}


def test_a_clean_csv_of_orders_makes_each_order_with_its_calendar(client, factory):
    line = factory.line("L1")
    style = factory.style("T100", sizes="S,M,L")
    _manager(client, factory)
    text = ("pedido;cliente;estilo;línea;fecha de entrega;talla;color;cantidad\n"   # Spanish names, semicolons
            "PO-1;Acme;t100;l1;2027-03-31;S;Navy;120\n"
            "PO-1;;;;;m;Navy;240\n"
            "PO-1;Acme;T100;L1;2027-03-31;L;White;30\n"
            "PO-2;Northwind;T100;;2027-04-15;L;Black;60\n")
    check = client.post("/import/orders/check", data={"csv_text": text})
    assert check.status_code == 200, _errors(check.text)
    assert count(Order) == 0
    done = _confirm(client, check, "orders")
    assert "Imported: 2 orders." in done.text
    po1 = db.session.scalars(select(Order).where(Order.number == "PO-1")).one()
    assert (po1.customer, po1.style_id, po1.line_id, po1.due_date) == ("Acme", style.id, line.id, date(2027, 3, 31))
    assert sorted((q.size, q.colour, q.quantity) for q in po1.quantities) == [
        ("L", "White", 30), ("M", "Navy", 240), ("S", "Navy", 120)]
    po2 = db.session.scalars(select(Order).where(Order.number == "PO-2")).one()
    assert po2.line_id is None and [(q.size, q.quantity) for q in po2.quantities] == [("L", 60)]
    assert count(Milestone, Milestone.order_id == po1.id) > 0          # order_created planned its calendar
    assert count(AuditEntry, AuditEntry.action == "order_import") == 2


def test_xlsx_orders_read_date_cells_and_whole_floats(client, factory):
    factory.style("T100", sizes="S,M")
    _manager(client, factory)
    data = _xlsx([ORDER_HEADER, ["PO-9", "Acme", "T100", None, datetime(2027, 5, 2), "S", "Red", 12.0],
                  ["PO-9", None, None, None, date(2027, 5, 2), "M", "Red", 8]])
    check = _upload(client, "orders", data, "orders.xlsx")
    assert check.status_code == 200, _errors(check.text)
    _confirm(client, check, "orders")
    order = db.session.scalars(select(Order).where(Order.number == "PO-9")).one()
    assert order.due_date == date(2027, 5, 2) and sum(q.quantity for q in order.quantities) == 20


def test_a_styles_file_with_errors_lists_each_by_row_and_column_and_writes_nothing(client, factory):
    factory.style("OLD1")
    _manager(client, factory)
    data = _xlsx([STYLE_HEADER + ["colour"],
                  ["T1", "Tee", "S,M", 1, "Join", "OL", 0.1234, None, "no"],          # never rounded to 0.123
                  ["T1", "Other name", None, 1, None, None, 0, 0.12345, "maybe"],
                  ["OLD1", "Again", "S", 1, "Join", None, "abc", "-1", None],
                  [None, None, None, "x", "Hem", None, 700, None, None],
                  ["T2", "Polo", "S,S", 1, "Hem", "m" * 61, 1, None, None]])
    check = _upload(client, "styles", data, "bulletins.xlsx")
    assert check.status_code == 422
    errors = _errors(check.text)
    assert (1, "colour", "Unknown column. The columns are: style code, style name, sizes, seq, operation, machine, "
                         "SAM, piece rate, QC point.") in errors
    assert (2, "SAM", "SAM must be a number of minutes above 0 and at most 600, with at most 3 decimals.") in errors
    assert (3, "style name", "Not the name on row 2 for this style.") in errors
    assert (3, "seq", "Same seq as row 2.") in errors
    assert (3, "operation", "An operation needs a name.") in errors
    assert (3, "SAM", "SAM must be a number of minutes above 0 and at most 600.") in errors
    assert (3, "piece rate", "Piece rate must be a number from 0 to 1000, with at most 4 decimals "
                             "(nothing is rounded).") in errors
    assert (3, "QC point", "Write yes or no.") in errors
    assert (4, "style code", "Style OLD1 already exists: change its bulletin on its page, or give this style "
                             "another code.") in errors
    assert (4, "SAM", "SAM must be a number of minutes above 0 and at most 600, with at most 3 decimals.") in errors
    assert (5, "style code", "A style needs a code and a name.") in errors
    assert (5, "seq", "Seq must be a whole number from 1 to 999.") in errors
    assert (6, "sizes", "Each size may appear only once.") in errors
    assert (6, "machine", "Machine can be at most 60 characters long.") in errors
    assert 'action="/import/styles/confirm"' not in check.text      # no way to import a file with errors
    assert count(Style) == 1 and count(Operation) == 3 and count(AuditEntry) == 0


def test_an_orders_file_with_errors_lists_each_and_writes_nothing(client, factory):
    factory.line("L1")
    style = factory.style("T100", sizes="S,M")
    factory.order(style=style)
    taken = db.session.scalars(select(Order.number)).one()
    _manager(client, factory)
    text = ("order number,customer,style code,line code,due date,size,colour,quantity\n"
            f"{taken},Acme,T100,L1,2027-03-31,S,Navy,10\n"
            "PO-1,Acme,NOPE,L9,31/03/2027,S,Navy,0\n"
            "PO-2,Acme,T100,,2027-03-31,XL,Navy,5\n"
            "PO-2,Other,,,,S,,5\n"
            "PO-2,,,,,S,navy,5\n"
            "PO-2,,,,,S,NAVY,5\n")
    check = client.post("/import/orders/check", data={"csv_text": text})
    assert check.status_code == 422
    errors = _errors(check.text)
    assert (2, "order number", f"Order number {taken} already exists.") in errors
    assert (3, "style code", "No style has the code NOPE: import the styles first.") in errors
    assert (3, "line code", "No line in use has the code L9.") in errors
    assert (3, "due date", "Enter the due date as YYYY-MM-DD.") in errors
    assert (3, "quantity", "Quantity must be a whole number from 1 to 1000000.") in errors
    assert (4, "size", "Size XL is not a size of style T100.") in errors
    assert (5, "customer", "Not the value on row 4 for this order (Acme).") in errors
    assert (5, "colour", "Every quantity needs a colour.") in errors
    assert (7, "colour", "Same size and colour as row 6.") in errors
    assert count(Order) == 1 and count(AuditEntry) == 0


def test_an_order_of_a_retired_style_is_refused(client, factory):
    factory.update(factory.style("OLD", sizes="S"), active=False)
    _manager(client, factory)
    resp = client.post("/import/orders/check", data={"csv_text": "order number,customer,style code,due date,size,"
                                                                  "colour,quantity\nPO-1,Acme,old,2027-01-01,S,Red,5\n"})
    assert (2, "style code", "Style OLD is not in use.") in _errors(resp.text)


def test_a_missing_column_and_an_empty_file_are_refused(client, factory):
    _manager(client, factory)
    resp = client.post("/import/orders/check", data={"csv_text": "order number,customer\nPO-1,Acme\n"})
    assert resp.status_code == 422
    assert (1, "due date", "This column is missing from the header row.") in _errors(resp.text)
    empty = client.post("/import/styles/check", data={"csv_text": " \n"})
    assert empty.status_code == 422 and "The file is empty" in empty.text


def test_confirm_is_all_or_nothing_when_writing_fails_halfway(client, factory, monkeypatch):
    factory.style("T100", sizes="S,M")
    _manager(client, factory)
    text = ("order number,customer,style code,line code,due date,size,colour,quantity\n"
            "PO-1,Acme,T100,,2027-03-31,S,Navy,10\nPO-2,Acme,T100,,2027-03-31,M,Navy,10\n")
    check = client.post("/import/orders/check", data={"csv_text": text})
    assert check.status_code == 200
    real = order_import.create_order

    def second_fails(**kw):
        if kw["number"] == "PO-2":
            raise DomainError("Refused while writing.")
        return real(**kw)

    monkeypatch.setattr(order_import, "create_order", second_fails)
    resp = _confirm(client, check, "orders")
    assert resp.status_code == 422 and "Refused while writing." in resp.text
    assert count(Order) == 0 and count(Milestone) == 0 and count(AuditEntry) == 0


def test_a_style_clash_found_only_while_writing_rolls_back_every_style(client, factory, monkeypatch):
    _manager(client, factory)
    text = "\n".join([",".join(STYLE_HEADER), "A1,Tee,S,1,Join,,1,,", "B2,Polo,M,1,Join,,1,,"])
    check = client.post("/import/styles/check", data={"csv_text": text})
    assert check.status_code == 200
    kind = routes.KINDS["styles"]

    def clash_then_write(actor, items):
        db.session.add(Style(code="B2", name="made meanwhile", sizes_csv="M"))   # another manager, same code
        return kind.write(actor, items)

    monkeypatch.setitem(routes.KINDS, "styles", dataclasses.replace(kind, write=clash_then_write))
    resp = _confirm(client, check, "styles")
    assert resp.status_code == 409 and "Nothing was imported: the data changed while importing." in resp.text
    assert count(Style) == 0 and count(Operation) == 0 and count(AuditEntry) == 0


def test_confirm_checks_again_and_a_double_submit_imports_once(client, factory):
    style = factory.style("T100", sizes="S")
    _manager(client, factory)
    text = "order number,customer,style code,due date,size,colour,quantity\nPO-1,Acme,T100,2027-03-31,S,Red,10\n"
    check = client.post("/import/orders/check", data={"csv_text": text})
    form = form_for(check.text, "/import/orders/confirm")
    first = send(client, form, form.data(), page="/import/orders")
    _forget()
    second = send(client, form, form.data(), page="/import/orders")
    assert "Imported: 1 orders." in first.text and SAVED in second.text
    assert count(Order) == 1 and count(AuditEntry, AuditEntry.action == "order_import") == 1
    again = client.post("/import/orders/check", data={"csv_text": text})   # the same file a second time
    form = form_for(client.post("/import/orders/check", data={"csv_text": text.replace("PO-1", "PO-7")}).text,
                    "/import/orders/confirm")
    assert again.status_code == 422 and "Order number PO-1 already exists." in again.text
    db.session.add(Order(number="PO-7", customer="x", style_id=style.id, due_date=date(2027, 1, 1)))   # taken meanwhile
    db.session.commit()
    late = send(client, form, form.data(), page="/import/orders")
    assert late.status_code == 422 and "Nothing was imported" in late.text
    assert (2, "order number", "Order number PO-7 already exists.") in _errors(late.text)


def test_only_a_manager_may_import(client, factory):
    for role in ("operator", "qc", "supervisor", "admin"):
        _forget()
        login(client, factory.user(role))
        for resp in (client.get("/import/styles"), client.get("/import/orders/template.csv"),
                     client.post("/import/orders/check", data={"csv_text": "x"}),
                     client.post("/import/styles/confirm", data={"csv_text": "x"})):
            if role == "admin":   # the admin passes every rule (roles.may); the page is the manager's
                assert resp.status_code != 403
            else:
                assert resp.status_code == 403 and "Your role does not allow this page." in resp.text
    _forget()
    _manager(client, factory)
    assert client.get("/import/shoes").status_code == 404
    assert client.get("/import/styles/template.pdf").status_code == 404
    page = client.get("/import/styles")
    assert 'href="/import/styles/template.xlsx"' in page.text and "<strong>seq</strong>" in page.text
    assert 'href="/import/styles"' in client.get(STYLES_PAGE).text
    assert 'href="/import/orders"' in client.get(ORDERS_PAGE).text


def test_huge_files_are_refused(client, factory, monkeypatch):
    _manager(client, factory)
    monkeypatch.setattr(readers, "MAX_BYTES", 4096)    # (the test client spools a body over 500 KB to a file)
    big = _upload(client, "styles", b"x" * 4097, "big.csv")
    assert big.status_code == 413 and "The file is too large: at most 4 KB." in big.text
    monkeypatch.undo()
    many = "\n".join([",".join(STYLE_HEADER)] + [f"T{i},Tee,S,1,Join,,1,," for i in range(readers.MAX_ROWS + 1)])
    assert client.post("/import/styles/check", data={"csv_text": many}).status_code == 413
    wide = _xlsx([STYLE_HEADER + [f"c{i}" for i in range(30)]])
    resp = _upload(client, "styles", wide, "wide.xlsx")
    assert resp.status_code == 413 and "more than 20 columns" in resp.text
    book = Workbook()
    book.active.append(STYLE_HEADER)
    book.active.cell(row=readers.MAX_SHEET_ROW + 5, column=1, value="far down")
    out = io.BytesIO()
    book.save(out)
    far = _upload(client, "styles", out.getvalue(), "far.xlsx")
    assert far.status_code == 413 and "delete the rows under the data" in far.text
    monkeypatch.setattr(readers, "MAX_UNPACKED", 2000)                 # a zip bomb unpacks past the limit
    bomb = _upload(client, "styles", _xlsx([STYLE_HEADER]), "bomb.xlsx")
    assert bomb.status_code == 413 and "too large once unpacked" in bomb.text
    monkeypatch.undo()
    broken = _upload(client, "styles", b"PK\x03\x04 not really a zip", "x.xlsx")
    assert broken.status_code == 422 and "cannot be read" in broken.text
    assert count(Style) == 0


def test_the_templates_download_and_read_back_clean(client, factory):
    factory.line("L1")
    _manager(client, factory)
    for fmt in ("xlsx", "csv"):
        styles = client.get(f"/import/styles/template.{fmt}")
        assert styles.status_code == 200 and "attachment" in styles.headers["Content-Disposition"]
        check = _upload(client, "styles", styles.data, f"styles.{fmt}")
        assert check.status_code == 200, _errors(check.text)
    _confirm(client, check, "styles")
    orders = client.get("/import/orders/template.xlsx")
    book = load_workbook(io.BytesIO(orders.data), read_only=True)
    assert [c.value for c in next(book.worksheets[0].iter_rows())] == ORDER_HEADER
    book.close()
    check = _upload(client, "orders", orders.data, "orders.xlsx")
    assert check.status_code == 200, _errors(check.text)
    assert "Imported: 2 orders." in _confirm(client, check, "orders").text


def test_a_formula_reads_as_its_value_and_the_confirm_text_is_csv(client, factory):
    _manager(client, factory)
    table = readers.read_upload("f.xlsx", _xlsx([STYLE_HEADER, ["T1", "Tee", "S", 1, "Join", None, "=1+1", 0.1]]))
    assert table.rows[1][1] == ["T1", "Tee", "S", "1", "Join", "", "", "0.1"]   # never computed: blank
    assert readers.read_csv(table.text).rows == table.rows
