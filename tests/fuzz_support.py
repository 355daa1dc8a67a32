"""The fuzz test's pieces: which routes exist and who may reach them, which fields the app reads, hostile values,
a floor to fuzz against, and a snapshot of every table's row count."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from datetime import date
from decimal import Decimal

from sqlalchemy import select, text

from shopfloor import security
from shopfloor.roles import rule_for
from shopfloor.extensions import db
from shopfloor.models import Bundle, WorkLog
from shopfloor.quality import audits, catalogue, services as quality
from shopfloor.packing import plans, shipments
from shopfloor.packing import services as packing
from shopfloor.scan.services import record_scan
from shopfloor.vocabulary import PackMode

ROLES = ("operator", "qc", "packer", "supervisor", "manager", "admin")
SOURCE = Path(__file__).resolve().parent.parent / "shopfloor"
_FIELD_RE = re.compile(r"""(?:\.get|flag|form_int)\(\s*f?["']([a-z_][a-z0-9_{}.\-]*)["']""")


def field_names() -> list[str]:
    """Every form, query or JSON field the app reads (from its source, so a new field is fuzzed too);
    f-string names (count-{d.id}) with small ids filled in."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        for name in _FIELD_RE.findall(path.read_text()):
            if "{" in name:  # count-{d.id}, qty-{i}-{size}: a small id first, then a size of the floor's style
                for n in ("0", "1", "2"):
                    first = re.sub(r"\{[^}]*\}", n, name, count=1)
                    names.add(re.sub(r"\{[^}]*\}", "S", first))
            else:
                names.add(name)
    names.discard("HX-Request")
    return sorted(names | {"_once"})


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    method: str
    args: tuple[tuple[str, str], ...]   # (name, converter kind: int / path / string)
    roles: tuple[str, ...]               # who may reach it ("anonymous", "kiosk" or a role)


def routes(app) -> list[Route]:
    """Every (rule, method) of the url map with the callers that may reach it."""
    out = []
    for rule in app.url_map.iter_rules():
        declared = rule_for(rule.endpoint)  # the one role table (shopfloor/roles.py)
        if declared is None or declared.public:
            roles = ("anonymous",) + ROLES
        else:
            roles = (("kiosk",) if declared.kiosk else ()) + tuple(sorted(declared.roles)) + ("admin",)
        args = tuple((a, _kind(rule._converters[a])) for a in sorted(rule.arguments))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append(Route(rule.rule, rule.endpoint, method, args, tuple(dict.fromkeys(roles))))
    return sorted(out, key=lambda r: (r.rule, r.method))


def _kind(converter) -> str:
    name = type(converter).__name__.lower()
    return "int" if "int" in name else "path" if "path" in name else "string"


def url_for_rule(route: Route, values: dict[str, str]) -> str:
    path = route.rule
    for name, _kind_ in route.args:
        path = re.sub(rf"<[^>]*\b{name}>", values[name], path)
    return path


BIG_INTS = ["0", "1", "2", "3", "-1", "2147483647", "2147483648", "4294967296", "9223372036854775807",
            "9223372036854775808", "99999999999999999999", "1" + "0" * 40]
HOSTILE = [
    "", " ", "0", "-0", "1", "-1", "1e30", "-1e30", "1e-30", "1e309", "NaN", "nan", "Infinity", "-Infinity",
    "inf", "0x10", "1_000", "١٢", "３", "²", "--5", "0.0001", "1,5", "12.345678", "9999-12-31", "0001-01-01", "2026-02-30",
    "2026-12-01", "9" * 400, "x" * 5000, "é" * 300, "ÿÿÿ", "\x00", "\ud7ff", "😀" * 50, "<script>alert(1)</script>",
    "' OR 1=1 --", "%s%s%n", "../../etc/passwd", "=1+1", "\r\n", "a" * 61, "operator", "manager",
    "pass", "fail", "endline", "inline", "rework", "scrap", "II", "S-4", "major", "critical", "up", "down",
    "retire", "restore", "fabric", "trims", "a4", "label", "es", "en", "ABCDEFG.ÿÿÿ", "X.é", "/b/ABCDEFG.ÿÿÿ",
] + BIG_INTS
PATHS = ["x", "ABCDEFG.ÿÿÿ", "X.é", "é", "a" * 3000, "..%2F..%2Fsecret", "ABCDEFG", "ABCDEFG.", ".abc",
         "%00", "😀.😀"]
JSON_VALUES = ["null", "true", "false", "0", "-1", "1", "2147483648", "99999999999999999999", "1e400",
               "NaN", "Infinity", "-Infinity", "1.5", "\"\"", "\"x\"", "\"ABCDEFG.ÿÿÿ\"", "\"é\"", "[]", "{}",
               "[1]", "{\"a\": 1}", "\"" + "x" * 5000 + "\""]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def floor(factory) -> dict:
    """A small floor with a row in every table the routes touch; returns the users by role and valid refs."""
    line, style, order, op = factory.floor()
    users = {"operator": op}
    for role in ("qc", "packer", "supervisor", "manager", "admin"):
        users[role] = factory.user(role, line=line)
    catalogue.ensure_default_catalogue()
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    for o in style.operations:
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code, operation_id=o.id, qty=10)
    defect = catalogue.active_defects()[0]
    quality.record_inspection(inspector_id=users["qc"].id, bundle_ref=b1.code, kind="endline", checked=10,
                              defective=None, entries=[quality.DefectEntry(defect.id, style.operations[0].id, 2)],
                              operation_id=None)
    audits.record(order_id=order.id, lot=20, level="II", cartons=4, cartons_opened=2, critical=0, major=0, minor=0,
                  notes="", inspector_id=users["qc"].id)
    entry = db.session.scalars(select(WorkLog).order_by(WorkLog.id)).first()
    cartons = _packing(order, users)
    return {"users": users, "bundle": b1.code, "signed": security.sign("bundle", b1.code), "entry": entry.id,
            "badge": security.sign("badge", op.badge_code or ""), "sscc": cartons[0].sscc}


def _packing(order, users) -> list:
    """A packing plan, its cartons (one packed) and a planned shipment, so the packing routes have rows."""
    manager = users["manager"].id
    plans.save_plan(order.id, mode=PackMode.SOLID, per_carton=10, ratio="", length=Decimal("60"),
                    width=Decimal("40"), height=Decimal("30"), net_kg=Decimal("5"), gross_kg=Decimal("6"),
                    actor_id=manager)
    cartons = plans.make_cartons(order.id, actor_id=manager, extension=1, company_prefix="0614141")
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).first()
    packing.pack(cartons[0].id, b1.code, 4, client_id="fuzz-pack", actor=users["packer"])
    shipments.create(number="SH-FUZZ", ex_factory=date(2026, 12, 20), carrier="", container="", actor_id=manager)
    return cartons


def table_counts() -> tuple:
    """Every table's row count, in one statement."""
    tables = [t.name for t in db.metadata.sorted_tables]
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    return tuple(zip(tables, db.session.execute(text(sql)).one()))
