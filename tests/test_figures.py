"""Efficiency figures from earned, attended and approved off-standard minutes (PRODUCT "Time, stoppages and
pay"), hand-computed, on the board, the review page and the operator's own day."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from shopfloor import clock
from shopfloor.attendance import figures
from shopfloor.board import queries as board_queries
from shopfloor.extensions import db
from shopfloor.models import Bundle
from shopfloor.review import queries as review
from shopfloor.scan.services import record_scan
from shopfloor.stoppages import services as stops
from shopfloor.vocabulary import Efficiency, StopReason, StopScope
from tests.conftest import login
from tests.time_helpers import at, clock_in_out, shift, yesterday


def _sew(factory, earned_pieces: int = 30, sam: float = 10.0):
    """A line whose shift is 08:00-16:30 with an unpaid 30-minute break at 12:00, a one-operation style of
    `sam` minutes, an order of `earned_pieces` pieces in bundles of 10, one operator."""
    line = factory.line()
    style = factory.style(sams=(sam,))
    order = factory.order(style=style, line=line, qty={("S", "Blue"): earned_pieces})
    op = factory.user("operator", line=line, name="Amina Islam")
    shift(line, "08:00", "16:30", breaks=[("12:00", 30, False)])
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
    return line, style, op, bundles


def _log(op, line, style, bundles, day, hour=9):
    for i, b in enumerate(bundles):
        record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b.code,
                    operation_id=style.operations[0].id, qty=b.pieces, now=at(day, hour + i))


def test_hand_computed_example_from_the_brief(factory):
    # Present 08:00-16:00 = 480 min, unpaid break 30 min -> attended 450; earned 3 x 10 pieces x 10 min = 300;
    # approved machine stop 45 min. Overall 300 / 450 = 66.7 %; on-standard 300 / (450 - 45) = 74.1 %.
    line, style, op, bundles = _sew(factory)
    day = yesterday()
    clock_in_out(op, day, (8, 0), (16, 0))
    _log(op, line, style, bundles, day)
    (mine,) = figures.operator_days(day, day, off_standard={(op.id, day): 45})
    assert (mine.earned, mine.attended, mine.off_standard, mine.source) == (300.0, 450, 45.0, "clock")
    assert round(mine.figures.overall, 1) == 66.7
    assert round(mine.figures.on_standard, 1) == 74.1
    # Without stoppages the two figures agree.
    (plain,) = figures.operator_days(day, day, off_standard={})
    assert round(plain.figures.overall, 1) == round(plain.figures.on_standard, 1) == 66.7


def test_undefined_figures_are_none_never_a_division_error():
    assert Efficiency(0, 0).overall is None and Efficiency(0, 0).on_standard is None
    stopped_all_day = Efficiency(earned=0, attended=45, off_standard=45)
    assert stopped_all_day.overall == 0.0 and stopped_all_day.on_standard is None
    # A line or a period adds minutes, never percentages: (300 + 100) / (450 + 450) = 44.4 %.
    total = Efficiency.total([Efficiency(300, 450, 45), Efficiency(100, 450)])
    assert round(total.overall, 1) == 44.4 and round(total.on_standard, 1) == round(400 * 100 / 855, 1)


def test_review_page_shows_overall_and_on_standard_per_operator_and_line(client, factory):
    line, style, op, bundles = _sew(factory)
    day = yesterday()
    clock_in_out(op, day, (8, 0), (16, 0))
    _log(op, line, style, bundles, day)
    # A machine breakdown of 45 minutes (approved off-standard) raised and closed by the supervisor; a needle
    # break of 20 minutes (the operator's own time: not off-standard) changes nothing.
    boss = factory.user("supervisor", line=line)
    stop = stops.raise_stop(boss, scope=StopScope.OPERATOR, reason=StopReason.BREAKDOWN, line_id=line.id,
                            operator_id=op.id, now=at(day, 10, 0))
    stops.close(stop.id, boss, now=at(day, 10, 45))
    needle = stops.raise_stop(boss, scope=StopScope.OPERATOR, reason=StopReason.NEEDLE_THREAD, line_id=line.id,
                              operator_id=op.id, now=at(day, 14, 0))
    stops.close(needle.id, boss, now=at(day, 14, 20))
    login(client, factory.user("manager"))
    page = client.get("/review", query_string={"start": day.isoformat(), "end": day.isoformat()})
    assert page.status_code == 200
    row = page.text.split('data-operator="Amina Islam"')[1].split("</tr>")[0]
    assert ">450<" in row                                   # attended minutes
    assert 'data-figure="overall">66.7 %' in row and 'data-figure="on-standard">74.1 %' in row
    period = page.text.split(f'data-line-period="{line.id}"')[1].split("</tr>")[0]
    assert 'data-figure="overall">66.7 %' in period and 'data-figure="on-standard">74.1 %' in period


def test_minimum_wage_top_up_is_for_the_minutes_attended(factory, app):
    # MINIMUM_WAGE_PER_DAY 20 for a planned day of 480 minutes: 08:00-11:50 attended (230 min, before the
    # break) is worth 20 x 230 / 480 = 9.58333... -> 9.58 on the payslip, rounded once; earned 0.50.
    line, style, op, bundles = _sew(factory, earned_pieces=10, sam=1.0)   # 10 pieces x 0.05 = 0.50
    day = yesterday()
    clock_in_out(op, day, (8, 0), (11, 50))
    _log(op, line, style, bundles, day)
    (pay,) = review.operator_pay(day, day)
    assert pay.minutes == 230 and pay.days == 1
    assert pay.minimum == Decimal("9.58") and pay.earnings == Decimal("0.50")
    assert pay.top_up == Decimal("9.08") and pay.pay == Decimal("9.58")


def test_attended_without_any_piece_still_costs_minutes_and_is_paid_the_minimum(factory):
    line, style, op, bundles = _sew(factory)
    day = yesterday()
    clock_in_out(op, day, (8, 0), (16, 0))                   # present all day, nothing sewn
    (pay,) = review.operator_pay(day, day)
    assert (pay.minutes, pay.pieces, pay.efficiency) == (450, 0, 0.0)
    assert pay.minimum == Decimal("18.75")                   # 20 x 450 / 480
    (d,) = review.line_efficiency(day, day)
    assert (d.line_id, d.minutes, d.efficiency) == (line.id, 450, 0.0)


def test_board_line_figures_from_attendance(factory):
    line, style, op, bundles = _sew(factory)
    today = clock.local_today()
    clock_in_out(op, today, (8, 0))                           # still in
    _log(op, line, style, bundles[:1], today)                 # 10 pieces x 10 min = 100 earned at 09:00
    board = board_queries.board(now_utc=at(today, 13, 0))
    lb = next(x for x in board.lines if x.id == line.id)
    # 08:00-13:00 = 300 min less the unpaid break 12:00-12:30 = 270; 100 / 270 = 37.0 %
    assert lb.minutes_worked == 270 and lb.attended_minutes == 270
    assert round(lb.efficiency, 1) == 37.0 and round(lb.on_standard, 1) == 37.0


def test_my_day_shows_attended_minutes_and_both_figures(client, factory):
    line, style, op, bundles = _sew(factory)
    login(client, op)
    empty = client.get("/me")
    assert 'data-kpi="efficiency">—<' in empty.text and 'data-kpi="on-standard">—<' in empty.text
    assert "Not clocked in today." in empty.text
    today = clock.local_today()
    clock_in_out(op, today, (8, 0), (16, 0))
    _log(op, line, style, bundles, today)
    page = client.get("/me")
    if clock.to_local(clock.utcnow()).replace(tzinfo=None) < at(today, 16, 0).replace(tzinfo=None):
        return  # before 16:00 local the day is still running; the figures are checked on a past day above
    assert 'data-kpi="attended">450<' in page.text
    assert 'data-kpi="efficiency">66.7 %<' in page.text and 'data-kpi="on-standard">66.7 %<' in page.text
    assert "Clocked in 08:00" in page.text and "Clocked out 16:00" in page.text


def test_off_standard_minutes_from_stops_count_only_inside_the_stay_and_outside_unpaid_breaks(factory):
    """Hand-computed from real stops: present 08:00-16:00 (450 attended, unpaid 12:00-12:30).
      own breakdown 07:30-08:20 ........ 20 min (before the clock-in does not count)
      line stop, no work 11:50-12:40 ... 20 min (10 before the break, 10 after; the break is unpaid)
      own power cut 12:35-12:50 ........ overlaps the line stop: only 12:40-12:50 more = 10 min
      own needle break 14:00-14:30 ..... not off-standard: 0
      line stop of another line ........ 0
    = 50 minutes; earned 300: overall 66.7 %, on-standard 300 / 400 = 75.0 %."""
    line, style, op, bundles = _sew(factory)
    other = factory.line()
    boss = factory.user("supervisor", line=line)
    day = yesterday()
    clock_in_out(op, day, (8, 0), (16, 0))
    _log(op, line, style, bundles, day)
    for scope, reason, ln, who, start, end in [
            (StopScope.OPERATOR, StopReason.BREAKDOWN, line, op, (7, 30), (8, 20)),
            (StopScope.LINE, StopReason.NO_WORK, line, None, (11, 50), (12, 40)),
            (StopScope.OPERATOR, StopReason.POWER, line, op, (12, 35), (12, 50)),
            (StopScope.OPERATOR, StopReason.NEEDLE_THREAD, line, op, (14, 0), (14, 30)),
            (StopScope.LINE, StopReason.BREAKDOWN, other, None, (9, 0), (11, 0))]:
        s = stops.raise_stop(boss if ln is line else factory.user("supervisor", line=other), scope=scope,
                             reason=reason, line_id=ln.id, operator_id=who.id if who else None, now=at(day, *start))
        stops.close(s.id, boss, now=at(day, *end))
    (mine,) = figures.operator_days(day, day)
    assert (mine.attended, mine.off_standard) == (450, 50.0)
    assert round(mine.figures.overall, 1) == 66.7 and round(mine.figures.on_standard, 1) == 75.0


def test_payslip_with_off_standard_pay_overtime_premium_and_top_up_hand_computed(client, factory):
    """Shift 08:00-16:30, unpaid 12:00-12:30; overtime approved 16:30-18:30; clocked 08:00-18:00.
      attended 480 + 90 overtime = 570 min; earned 30 x 10 min = 300 min, piece rate 10 x 0.05 = 0.50 -> 15.00
      approved breakdown 10:00-10:45: 45 min x 0.05 (OFF_STANDARD_RATE_PER_MINUTE) ........... 2.25
      overtime premium: 90 min x 0.05 (WAGE_PER_MINUTE) x 0.5 (OVERTIME_PREMIUM) .............. 2.25
      minimum wage for 570 min: 20 x 570 / 480 = 23.75 -> top-up 23.75 - 15.00 - 2.25 - 2.25 = 4.25; pay 23.75"""
    from tests.time_helpers import overtime
    line, style, op, bundles = _sew(factory)
    day = yesterday()
    overtime(line, day, "16:30", "18:30")
    clock_in_out(op, day, (8, 0), (18, 0))
    _log(op, line, style, bundles, day)
    boss = factory.user("supervisor", line=line)
    stop = stops.raise_stop(boss, scope=StopScope.OPERATOR, reason=StopReason.BREAKDOWN, line_id=line.id,
                            operator_id=op.id, now=at(day, 10, 0))
    stops.close(stop.id, boss, now=at(day, 10, 45))
    (pay,) = review.operator_pay(day, day)
    assert (pay.minutes, pay.overtime, pay.off_standard) == (570, 90, 45.0)
    assert (pay.earnings, pay.off_standard_pay, pay.overtime_premium) == (Decimal("15.00"), Decimal("2.25"),
                                                                         Decimal("2.25"))
    assert (pay.minimum, pay.top_up, pay.pay) == (Decimal("23.75"), Decimal("4.25"), Decimal("23.75"))
    # The review page and the payslips export show the same lines.
    login(client, factory.user("manager"))
    page = client.get("/review", query_string={"start": day.isoformat(), "end": day.isoformat()}).text
    row = page.split('data-operator="Amina Islam"')[1].split("</tr>")[0]
    assert 'data-pay="off-standard">2.25<' in row and 'data-pay="overtime">2.25<' in row
    assert 'data-pay="top-up">4.25<' in row and "<strong>23.75</strong>" in row
    csv = client.get("/review/export/payslips.csv", query_string={"start": day.isoformat(), "end": day.isoformat()})
    header, line_ = csv.text.strip().splitlines()[:2]
    assert header.startswith("operator,badge,line,days")
    assert line_.endswith(",15.00,2.25,2.25,23.75,4.25,23.75,USD") and "Amina Islam" in line_
