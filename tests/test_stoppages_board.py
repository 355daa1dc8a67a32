"""Stoppages on the wall board (open stops per line, minutes, red after STOP_ALERT_MINUTES, the polling
version) and in the review (downtime Pareto by reason, line and day; the CSV), figures hand-computed."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from shopfloor import clock
from shopfloor.config import Config
from shopfloor.board import queries as board_queries
from shopfloor.stoppages import downtime, queries, services
from shopfloor.vocabulary import StopReason, StopScope
from tests.conftest import login
from tests.test_stoppages import add_stop, at

TOKEN = "board-token-for-tests"


def test_board_shows_open_stops_with_minutes_red_after_threshold(client, factory, app):
    line = factory.line()
    op = factory.user("operator", line=line, name="Ana")
    sup = factory.user("supervisor")
    now = clock.utcnow()
    add_stop(scope=StopScope.OPERATOR, line=line, operator=op, reason=StopReason.BREAKDOWN,
             start=now - timedelta(minutes=12, seconds=5), by=op)
    add_stop(scope=StopScope.MACHINE, line=line, machine="M-4", reason=StopReason.NEEDLE_THREAD,
             start=now - timedelta(minutes=3), by=sup)
    add_stop(scope=StopScope.LINE, line=line, reason=StopReason.POWER, start=now - timedelta(minutes=40),
             end=now - timedelta(minutes=30), by=sup)   # closed: not on the board
    by_line = queries.board_stops(now)
    assert [(s.who, s.minutes, s.alert) for s in by_line[line.id]] == [("Ana", 12, True), ("M-4", 3, False)]
    page = client.get(f"/board?token={TOKEN}")
    panel = page.text[page.text.index(f'id="line-{line.id}"'):]
    assert 'class="line-stop alert"' in panel and 'data-minutes="12"' in panel and "12 min" in panel
    assert "Machine breakdown</strong> · Ana" in panel and 'class="line-stop" data-stop' in panel
    assert "Power cut" not in panel
    app.config["STOP_ALERT_MINUTES"] = 15
    try:
        assert [s.alert for s in queries.board_stops(now)[line.id]] == [False, False]
    finally:
        app.config["STOP_ALERT_MINUTES"] = 10


def test_raising_acknowledging_and_closing_change_the_board_version(client, factory):
    line = factory.line()
    op = factory.user("operator", line=line)
    sup = factory.user("supervisor")
    now = clock.utcnow()
    seen = [board_queries.version(now)]
    stop = services.raise_stop(op, scope=StopScope.OPERATOR, reason=StopReason.NO_WORK)
    seen.append(board_queries.version(now))
    services.acknowledge(stop.id, sup)
    seen.append(board_queries.version(now))
    services.close(stop.id, sup, now=clock.utcnow() + timedelta(seconds=1))
    seen.append(board_queries.version(now))
    assert len(set(seen)) == 4
    # unchanged: 304; the minute turning changes it (an open stop's minutes run)
    assert board_queries.version(now) == seen[-1]
    assert board_queries.version(now + timedelta(minutes=1)) != seen[-1]
    live = client.get(f"/board/live?token={TOKEN}", headers={"HX-PTag": board_queries.version()})
    assert live.status_code in (200, 304)  # 200 only if the minute turned in between


def _period_floor(factory):
    l1, l2 = factory.line(code="L1"), factory.line(code="L2")
    op = factory.user("operator", line=l1)
    sup = factory.user("supervisor")
    d1, d2 = date(2026, 3, 2), date(2026, 3, 3)
    # L1 breakdown 08:00-08:40 on d1 (40); L1 line power 23:30 d1 - 00:30 d2 (30 + 30)
    add_stop(scope=StopScope.OPERATOR, line=l1, operator=op, reason=StopReason.BREAKDOWN, start=at(d1, 8),
             end=at(d1, 8, 40), by=op)
    add_stop(scope=StopScope.LINE, line=l1, reason=StopReason.POWER, start=at(d1, 23, 30), end=at(d2, 0, 30), by=sup)
    # L2 machine breakdown 10:00-10:25 on d2 (25); L2 meeting 14:00-14:10 on d2 (10)
    add_stop(scope=StopScope.MACHINE, line=l2, machine="M-2", reason=StopReason.BREAKDOWN, start=at(d2, 10),
             end=at(d2, 10, 25), by=sup)
    add_stop(scope=StopScope.LINE, line=l2, reason=StopReason.MEETING, start=at(d2, 14), end=at(d2, 14, 10), by=sup)
    # outside the period (d3): not counted
    add_stop(scope=StopScope.LINE, line=l2, reason=StopReason.OTHER, start=at(d2 + timedelta(days=1), 9),
             end=at(d2 + timedelta(days=1), 9, 50), by=sup)
    return l1, l2, d1, d2


def test_downtime_pareto_hand_computed(factory):
    l1, l2, d1, d2 = _period_floor(factory)
    dt = downtime.downtime(d1, d2, now=at(d2 + timedelta(days=5), 0))
    # breakdown 40 + 25 = 65, power 60, meeting 10: total 135; cumulative 65/135 = 48.1 %, 125/135 = 92.6 %, 100 %
    assert [(r.key, r.minutes, round(r.cumulative_pct, 1)) for r in dt.by_reason] == \
        [("breakdown", 65, 48.1), ("power", 60, 92.6), ("meeting", 10, 100.0)]
    assert dt.total == 135
    assert [(r.label, r.minutes, round(r.cumulative_pct, 1)) for r in dt.by_line] == [("L1", 100, 74.1),
                                                                                      ("L2", 35, 100.0)]
    assert dt.by_day == [(d1, 70), (d2, 65)]
    only_l2 = downtime.downtime(d1, d2, line_id=l2.id, now=at(d2 + timedelta(days=5), 0))
    assert [(r.key, r.minutes) for r in only_l2.by_reason] == [("breakdown", 25), ("meeting", 10)]
    # one day: the power stop counts its 30 minutes of d2 only
    assert [(r.key, r.minutes) for r in downtime.downtime(d2, d2, now=at(d2, 23)).by_reason] == \
        [("power", 30), ("breakdown", 25), ("meeting", 10)]


def test_review_page_and_csv(client, factory):
    l1, l2, d1, d2 = _period_floor(factory)
    login(client, factory.user("manager"))
    page = client.get(f"/review?start={d1}&end={d2}")
    assert page.status_code == 200
    section = page.text[page.text.index('id="downtime"'):]
    assert 'data-total="135"' in section and 'class="trend pareto"' in section
    reasons = section[section.index('id="downtime-reasons"'):section.index('id="downtime-lines"')]
    assert reasons.index('data-reason="breakdown"') < reasons.index('data-reason="power"') < \
        reasons.index('data-reason="meeting"')
    resp = client.get(f"/review/export/stops.csv?start={d1}&end={d2}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert [(r["line"], r["reason"], r["minutes_in_period"], r["off_standard"]) for r in rows] == [
        ("L1", "breakdown", "40", "yes"), ("L1", "power", "60", "yes"), ("L2", "breakdown", "25", "yes"),
        ("L2", "meeting", "10", "yes")]
    assert rows[1]["started"].endswith("23:30") and rows[2]["machine"] == "M-2"


def test_alert_minutes_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOPFLOOR_STOP_ALERT_MINUTES", raising=False)
    assert Config.from_env(tmp_path).STOP_ALERT_MINUTES == 10
    monkeypatch.setenv("SHOPFLOOR_STOP_ALERT_MINUTES", "25")
    assert Config.from_env(tmp_path).STOP_ALERT_MINUTES == 25
    monkeypatch.setenv("SHOPFLOOR_STOP_ALERT_MINUTES", "ten")
    with pytest.raises(ValueError):
        Config.from_env(tmp_path)
