"""CSV exports open safely in a spreadsheet: no text cell starts a formula, numbers stay numbers."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select

from shopfloor.extensions import db
from shopfloor.models import Bundle, WorkLog
from shopfloor.scan.services import record_scan
from shopfloor.spreadsheet import cell
from shopfloor.supervise import services as supervise
from tests.conftest import login

OP_NAME = '=HYPERLINK("http://evil.example","Open")'
REASON = "+cmd|' /C calc'!A0"


def test_cell_neutralises_text_that_starts_a_formula_and_keeps_numbers():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert cell("Sew side seam") == "Sew side seam" and cell("") == ""
    assert cell(-10) == -10 and cell(Decimal("-0.5")) == Decimal("-0.5") and cell(None) is None


def _rows(client, path):
    resp = client.get(path)
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    resp.close()
    return rows


def test_worklog_export_neutralises_operation_name_and_correction_reason(client, factory):
    line, style, order, op = factory.floor()
    factory.update(style.operations[0], name=OP_NAME)
    sup = factory.user("supervisor", line=line)
    mgr = factory.user("manager")
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                operation_id=style.operations[0].id, qty=10)
    entry = db.session.scalars(select(WorkLog)).one()
    supervise.correct(entry.id, supervisor_id=sup.id, reason=REASON)
    login(client, mgr)
    rows = _rows(client, "/review/export/worklog.csv")
    header, scan, reversal = rows[0], rows[1], rows[2]
    col = {name: i for i, name in enumerate(header)}
    assert scan[col["operation"]] == "'" + OP_NAME and reversal[col["operation"]] == "'" + OP_NAME
    assert reversal[col["reason"]] == "'" + REASON
    assert scan[col["pieces"]] == "10" and reversal[col["pieces"]] == "-10"  # a number, not text
    assert float(reversal[col["earned_minutes"]]) == -5.0
    assert reversal[col["reversal_of"]] == str(entry.id)
    assert header[-1] == "currency" and scan[-1] == reversal[-1] == "USD"   # the unit of piece_rate and amount


def test_csv_headers_follow_the_reader_s_language_and_stay_keys_in_english(client, factory):
    """English: the snake_case keys payroll reads; Spanish: the same columns in Spanish (csv_columns.COLUMNS)."""
    from tests.conftest import login
    manager = factory.user("manager")
    login(client, manager)
    period = {"start": "2026-01-01", "end": "2026-01-31"}
    english = {name: client.get(f"/review/export/{name}.csv", query_string=period).text.splitlines()[0]
               for name in ("worklog", "qc", "stops", "payslips")}
    assert english["worklog"].startswith("entry,time,operator,badge,line,order,bundle,operation,pieces,sam,")
    assert english["payslips"].endswith("minimum_wage,top_up,total_pay,currency")
    with client.session_transaction() as sess:
        sess["lang"] = "es"
    from flask import g
    g.pop("_flask_babel", None)   # the fixture's app context keeps the locale chosen by the requests before
    spanish = {name: client.get(f"/review/export/{name}.csv", query_string=period).text.splitlines()[0]
               for name in ("worklog", "qc", "stops", "payslips")}
    assert spanish["worklog"].startswith("asiento,hora,operario,credencial,línea,pedido,paquete,operación,piezas,")
    assert spanish["qc"].startswith("inspección,hora,tipo,paquete,pedido,línea,inspector,revisadas,defectuosas,")
    assert spanish["stops"].startswith("paro,línea,alcance,operario,máquina,motivo,improductivo,estado,")
    assert spanish["payslips"].endswith("salario_mínimo,complemento,pago_total,moneda")
    assert all(len(spanish[n].split(",")) == len(english[n].split(",")) for n in english)
