"""Spreadsheet import of styles and orders: upload (CSV or XLSX) -> dry run (every error by row and column,
nothing written) -> import (the same rows checked again; all or nothing)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from shopfloor.edge import on_refusal
from shopfloor.imports import orders, readers, services, styles
from shopfloor.spreadsheet import csv_chunks

bp = Blueprint("imports", __name__, url_prefix="/import")
KINDS = {k.name: k for k in (styles.KIND, orders.KIND)}
KIND = "<kind>"     # styles or orders (another word: 404, after the role check like any page)


def _kind(name: str) -> services.Kind:
    if name not in KINDS:
        abort(404)
    return KINDS[name]


def _page(kind: str, report=None, error=None, status=200, imported=None):
    return render_template("imports/import.html", kind=_kind(kind), report=report, error=error, imported=imported,
                           max_rows=readers.MAX_ROWS, max_kb=readers.MAX_BYTES // 1024,
                           pasted=request.form.get("csv_text", "")), status


@bp.get(f"/{KIND}")
def page(kind: str):
    return _page(kind)


def _sent_table() -> readers.Table:
    """The uploaded file (CSV or XLSX), else the pasted text."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        with upload.stream as stream:    # closed at once (a large upload is spooled to a temporary file)
            data = stream.read(readers.MAX_BYTES + 1)
        return readers.read_upload(upload.filename, data)
    return readers.read_csv(request.form.get("csv_text", ""))


@bp.post(f"/{KIND}/check")
@on_refusal(lambda e: _page(request.view_args["kind"], error=e.message, status=e.status))
def check(kind: str):
    report = services.check(_kind(kind), _sent_table())
    return _page(kind, report=report, status=200 if report.ok else 422)


@bp.post(f"/{KIND}/confirm")
@on_refusal(lambda e: _page(request.view_args["kind"], error=e.message, status=e.status,
                            report=services.check_text(_kind(request.view_args["kind"]),
                                                       request.form.get("csv_text", ""))))
def confirm(kind: str):
    imported = services.run(current_user, _kind(kind), request.form.get("csv_text", ""))
    return _page(kind, imported=imported)


@bp.get(f"/{KIND}/template.<fmt>")
def template(kind: str, fmt: str):
    header, rows = services.example_rows(_kind(kind))
    if fmt not in ("csv", "xlsx"):
        abort(404)
    name = f"{kind}-template.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(csv_chunks(header, rows), mimetype="text/csv", headers=disposition)
    return Response(readers.xlsx_bytes(header, rows), headers=disposition,
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
