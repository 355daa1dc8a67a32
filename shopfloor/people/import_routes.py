"""CSV import of operators: upload or paste -> dry run (every row's errors, nothing written) -> confirm (all rows
or none)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from shopfloor.people import csv_import
from shopfloor.edge import on_refusal
from shopfloor.spreadsheet import csv_chunks

bp = Blueprint("people_import", __name__, url_prefix="/people/import")


def _page(report=None, error=None, status=200, imported=None):
    return render_template("people/import.html", report=report, error=error, imported=imported,
                           max_rows=csv_import.MAX_ROWS, max_kb=csv_import.MAX_BYTES // 1024,
                           columns=csv_import.COLUMNS, pasted=request.form.get("csv_text", "")), status, \
        ({"Cache-Control": "no-store"} if imported else {})


@bp.get("")
def page():
    return _page()


def _sent_text() -> str:
    """The uploaded file, else the pasted text."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return csv_import.decode(upload.stream.read(csv_import.MAX_BYTES + 1))
    return request.form.get("csv_text", "")


@bp.post("/check")
@on_refusal(lambda e: _page(error=e.message, status=e.status))
def check():
    report = csv_import.read(_sent_text())
    return _page(report=report, status=200 if report.ok else 422)


@bp.post("/confirm")
@on_refusal(lambda e: _page(report=csv_import.report_or_none(request.form.get("csv_text", "")), error=e.message,
                            status=e.status))
def confirm():
    imported = csv_import.run(current_user, request.form.get("csv_text", ""))
    return _page(imported=imported)


@bp.get("/sample.csv")
def sample():
    return Response(csv_chunks(list(csv_import.COLUMNS), csv_import.SAMPLE), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="operators.csv"'})
