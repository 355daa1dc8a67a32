"""Column names of the CSV exports: snake_case keys in English (what payroll and ERP imports read), each
translated for a user who reads another language (msgctxt "csv"). Defined once; every export names its columns
from here (`header`)."""
from __future__ import annotations

from flask_babel import lazy_pgettext as _lp

COLUMNS = {
    "entry": _lp("csv", "entry"),
    "time": _lp("csv", "time"),
    "operator": _lp("csv", "operator"),
    "badge": _lp("csv", "badge"),
    "line": _lp("csv", "line"),
    "order": _lp("csv", "order"),
    "bundle": _lp("csv", "bundle"),
    "operation": _lp("csv", "operation"),
    "pieces": _lp("csv", "pieces"),
    "sam": _lp("csv", "sam"),
    "earned_minutes": _lp("csv", "earned_minutes"),
    "piece_rate": _lp("csv", "piece_rate"),
    "amount": _lp("csv", "amount"),
    "reversal_of": _lp("csv", "reversal_of"),
    "reason": _lp("csv", "reason"),
    "entered_by": _lp("csv", "entered_by"),
    "inspection": _lp("csv", "inspection"),
    "kind": _lp("csv", "kind"),
    "inspector": _lp("csv", "inspector"),
    "checked": _lp("csv", "checked"),
    "defective": _lp("csv", "defective"),
    "defects": _lp("csv", "defects"),
    "result": _lp("csv", "result"),
    "light": _lp("csv", "light"),
    "days": _lp("csv", "days"),
    "attended_minutes": _lp("csv", "attended_minutes"),
    "off_standard_minutes": _lp("csv", "off_standard_minutes"),
    "overtime_minutes": _lp("csv", "overtime_minutes"),
    "piece_rate_pay": _lp("csv", "piece_rate_pay"),
    "off_standard_pay": _lp("csv", "off_standard_pay"),
    "overtime_premium": _lp("csv", "overtime_premium"),
    "minimum_wage": _lp("csv", "minimum_wage"),
    "top_up": _lp("csv", "top_up"),
    "total_pay": _lp("csv", "total_pay"),
    "currency": _lp("csv", "currency"),
    "stop": _lp("csv", "stop"),
    "scope": _lp("csv", "scope"),
    "machine": _lp("csv", "machine"),
    "off_standard": _lp("csv", "off_standard"),
    "status": _lp("csv", "status"),
    "started": _lp("csv", "started"),
    "ended": _lp("csv", "ended"),
    "minutes_in_period": _lp("csv", "minutes_in_period"),
    "note": _lp("csv", "note"),
}


def header(*keys: str) -> list:
    """The translated column names of these keys, in order (KeyError for an undeclared key)."""
    return [COLUMNS[k] for k in keys]
