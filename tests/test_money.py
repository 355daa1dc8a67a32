"""Money is exact: ten-thousandths in the database, Decimal in Python, a payslip rounded once per line."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from shopfloor import clock, money
from shopfloor.config import Config
from shopfloor.errors import DomainError
from shopfloor.extensions import db
from shopfloor.models import Bundle, Operation, OperatorDay
from shopfloor.planning import styles as planning
from shopfloor.review import queries
from shopfloor.scan.services import record_scan, reverse_entry
from tests.conftest import login


def test_conversions_are_exact_and_round_half_up_once():
    assert money.to_e4(Decimal("0.0375")) == 375 and money.to_e4("12") == 120000
    assert money.from_e4(1234) == Decimal("0.1234") and money.from_e4(None) == 0
    with pytest.raises(ValueError):
        money.to_e4(Decimal("0.12345"))                      # never rounded silently
    assert money.cents(Decimal("0.175")) == Decimal("0.18")  # a float 0.175 is 0.17499999...
    assert money.cents(Decimal("0.925")) == Decimal("0.93")  # half up, not half even
    assert money.cents(Decimal("-0.1225")) == Decimal("-0.12")
    assert money.plain(Decimal("0.0250")) == "0.025" and money.plain(Decimal("20.00")) == "20"


def test_money_columns_store_whole_ten_thousandths(factory):
    style = factory.style(sams=(0.75,))
    op = style.operations[0]
    assert op.piece_rate == Decimal("0.0375")
    raw = db.session.execute(text("SELECT piece_rate_e4 FROM operations WHERE id = :id"), {"id": op.id}).scalar()
    assert raw == 375 and isinstance(raw, int)
    db.session.expire_all()
    assert db.session.get(Operation, op.id).piece_rate == Decimal("0.0375")


def test_piece_rate_with_more_than_four_decimals_is_refused_and_changes_nothing(factory):
    style = factory.style(sams=(0.75,))
    op = style.operations[0]
    with pytest.raises(DomainError) as e:
        planning.update_operation(op.id, name=op.name, machine=op.machine, sam=Decimal("0.75"),
                                  piece_rate=Decimal("0.12345"), qc_point=False)
    assert "at most 4 decimals" in e.value.message
    db.session.expire_all()
    assert db.session.get(Operation, op.id).piece_rate == Decimal("0.0375")


def test_wages_in_configuration_are_decimals_parsed_from_text(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPFLOOR_WAGE_PER_MINUTE", "0.0625")
    monkeypatch.setenv("SHOPFLOOR_MINIMUM_WAGE_PER_DAY", "18.40")
    cfg = Config.from_env(tmp_path)
    assert cfg.WAGE_PER_MINUTE == Decimal("0.0625") and cfg.MINIMUM_WAGE_PER_DAY == Decimal("18.40")
    monkeypatch.setenv("SHOPFLOOR_WAGE_PER_MINUTE", "five cents")
    with pytest.raises(ValueError, match="SHOPFLOOR_WAGE_PER_MINUTE"):
        Config.from_env(tmp_path)


def _at(day, hh: int) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=clock.factory_tz()).astimezone(timezone.utc).replace(tzinfo=None)


@pytest.fixture()
def payroll(factory, ctx, monkeypatch):
    """Two days, three operators, piece rates with 4 decimals, a reversal, minimum wage 1.50 a day."""
    monkeypatch.setitem(ctx.config, "MINIMUM_WAGE_PER_DAY", Decimal("1.50"))
    line = factory.line()
    style = factory.style(sams=(0.75, 2.468, 0.35))            # rates 0.0375, 0.1234, 0.0175 (SAM x 0.05)
    op1, op2, op3 = style.operations
    order = factory.order(style=style, line=line, qty={("S", "Blue"): 40}, bundle_size=10)
    b1, b2, b3, b4 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)
                                        .order_by(Bundle.number)).all()
    a, b, c = (factory.user("operator", line=line, name=n) for n in ("Ana", "Bea", "Cruz"))
    sup = factory.user("supervisor", line=line)
    d1 = clock.local_today() - timedelta(days=2)
    d2 = clock.local_today() - timedelta(days=1)

    def log(user, bundle, op, qty, day, hh):
        return record_scan(operator_id=user.id, operator_line_id=line.id, bundle_ref=bundle.code,
                           operation_id=op.id, qty=qty, now=_at(day, hh), log_anyway=True)

    log(a, b1, op1, 10, d1, 9)     # 10 x 0.0375 = 0.3750
    log(a, b1, op2, 7, d1, 10)     #  7 x 0.1234 = 0.8638
    log(a, b2, op2, 10, d2, 9)     # 10 x 0.1234 = 1.2340
    wrong = log(a, b2, op3, 7, d2, 11)   # 7 x 0.0175 = 0.1225, then reversed
    reverse_entry(wrong.log_id, by_user_id=sup.id, reason="scanned the wrong bundle")
    log(b, b3, op1, 10, d1, 9)     # 0.3750
    log(b, b3, op3, 10, d1, 10)    # 0.1750
    log(b, b4, op1, 10, d1, 11)    # 0.3750
    log(c, b4, op2, 10, d2, 9)     # 1.2340
    log(c, b3, op2, 10, d2, 10)    # 1.2340
    return {"d1": d1, "d2": d2, "a": a, "b": b, "c": c, "line": line}


def test_payroll_period_by_hand_to_the_cent(payroll):
    d1, d2 = payroll["d1"], payroll["d2"]
    pay = {p.name: p for p in queries.operator_pay(d1, d2)}
    # Ana: 0.3750 + 0.8638 + 1.2340 (+ 0.1225 - 0.1225) = 2.4728 -> 2.47; 2 days x 1.50 = 3.00; top-up 0.53.
    # Bea: 0.3750 + 0.1750 + 0.3750 = 0.9250 -> 0.93 (half up); 1 day = 1.50; top-up 0.57.
    # Cruz: 1.2340 + 1.2340 = 2.4680 -> 2.47; 1 day = 1.50; no top-up.
    figures = {n: (p.earnings_exact, p.earnings, p.days, p.minimum, p.top_up, p.pay) for n, p in pay.items()}
    assert figures == {
        "Ana": (Decimal("2.4728"), Decimal("2.47"), 2, Decimal("3.00"), Decimal("0.53"), Decimal("3.00")),
        "Bea": (Decimal("0.925"), Decimal("0.93"), 1, Decimal("1.50"), Decimal("0.57"), Decimal("1.50")),
        "Cruz": (Decimal("2.468"), Decimal("2.47"), 1, Decimal("1.50"), Decimal("0"), Decimal("2.47")),
    }
    assert pay["Ana"].pieces == 27 and pay["Bea"].pieces == 30
    # The daily summary holds the exact, unrounded sum of the ledger.
    assert db.session.get(OperatorDay, (payroll["a"].id, d1)).earnings == Decimal("1.2388")
    assert db.session.get(OperatorDay, (payroll["a"].id, d2)).earnings == Decimal("1.234")
    one_day = {p.name: p.pay for p in queries.operator_pay(d1, d1)}
    assert one_day == {"Ana": Decimal("1.50"), "Bea": Decimal("1.50")}   # Ana 1.2388 -> 1.24 + 0.26


def test_review_page_shows_the_payslip_lines(client, factory, payroll):
    login(client, factory.user("manager"))
    page = client.get(f"/review?start={payroll['d1']}&end={payroll['d2']}")
    rows = {m.group(1): re.findall(r'<td class="num"[^>]*>(?:<strong>)?([\d.,-]+)', m.group(2))
            for m in re.finditer(r'<tr data-operator="([^"]+)">(.*?)</tr>', page.text, re.S)}
    # piece-rate pay, off-standard pay, overtime premium, top-up, total (no stops, no overtime here)
    assert rows["Ana"][-5:] == ["2.47", "0.00", "0.00", "0.53", "3.00"]
    assert rows["Bea"][-5:] == ["0.93", "0.00", "0.00", "0.57", "1.50"]
    assert rows["Cruz"][-5:] == ["2.47", "0.00", "0.00", "0.00", "2.47"]


def test_worklog_export_shows_exact_rates_and_amounts_at_the_cent(client, factory, payroll):
    login(client, factory.user("manager"))
    # The reversal row was written today (it counts in its entry's day for pay; the export lists by entry time).
    resp = client.get(f"/review/export/worklog.csv?start={payroll['d1']}&end={clock.local_today()}")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    got = sorted((r["operator"], r["operation"], r["pieces"], r["piece_rate"], r["amount"]) for r in rows)
    assert got == sorted([
        ("Ana", "Op 1", "10", "0.0375", "0.38"), ("Ana", "Op 2", "7", "0.1234", "0.86"),
        ("Ana", "Op 2", "10", "0.1234", "1.23"), ("Ana", "Op 3", "7", "0.0175", "0.12"),
        ("Ana", "Op 3", "-7", "0.0175", "-0.12"),
        ("Bea", "Op 1", "10", "0.0375", "0.38"), ("Bea", "Op 3", "10", "0.0175", "0.18"),
        ("Bea", "Op 1", "10", "0.0375", "0.38"),
        ("Cruz", "Op 2", "10", "0.1234", "1.23"), ("Cruz", "Op 2", "10", "0.1234", "1.23"),
    ])
    assert {r["sam"] for r in rows} == {"0.75", "2.468", "0.35"}
    assert not re.search(r"\d\.\d{5,}", resp.text)   # no float tails such as 0.17500000000000002


def test_the_currency_is_a_setting_checked_at_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SHOPFLOOR_CURRENCY", raising=False)
    assert Config.from_env(tmp_path).CURRENCY == "USD"
    monkeypatch.setenv("SHOPFLOOR_CURRENCY", " bdt ")
    assert Config.from_env(tmp_path).CURRENCY == "BDT"
    monkeypatch.setenv("SHOPFLOOR_CURRENCY", "taka")
    with pytest.raises(ValueError, match="SHOPFLOOR_CURRENCY must be an ISO 4217 currency code"):
        Config.from_env(tmp_path)


def test_pay_and_costs_are_shown_in_the_factory_s_currency_in_the_reader_s_language(client, factory, ctx,
                                                                                     monkeypatch):
    """An operator's earnings carry the currency as their language writes money, rounded half up once to the
    cent (0.125 shows 0.13, where half-even would show 0.12); the manager's pay and cost tables name it, the
    style's target cost is labelled with it, and the payslips say it on each row."""
    from flask import g

    monkeypatch.setitem(ctx.config, "CURRENCY", "BDT")
    line, style, order, op = factory.floor(sams=(0.25,))         # rate 0.0125 (SAM x 0.05)
    b1 = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id)).first()
    record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b1.code,
                operation_id=style.operations[0].id, qty=10)  # 0.1250
    login(client, op)
    shown = {}
    for lang in ("en", "es", "bn"):
        with client.session_transaction() as sess:
            sess["lang"] = lang
        g.pop("_flask_babel", None)
        shown[lang] = re.search(r'data-kpi="earnings">([^<]+)<', client.get("/me").text).group(1)
    assert shown == {"en": "BDT0.13", "es": "0,13\xa0BDT", "bn": "0.13৳"}
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    g.pop("_flask_babel", None)
    login(client, factory.user("manager"))
    review = client.get("/review").text
    assert review.count("Amounts in Bangladeshi Taka (BDT)") == 2     # the orders' costs and the pay table
    assert '(BDT)</span></label>' in client.get(f"/styles/{style.id}").text
    today = clock.local_today().isoformat()
    rows = list(csv.reader(io.StringIO(client.get("/review/export/payslips.csv",
                                                  query_string={"start": today, "end": today}).text)))
    assert rows[0][-1] == "currency" and rows[1][-1] == "BDT"
