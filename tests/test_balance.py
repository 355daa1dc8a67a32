"""Line balance pages: the proposal a supervisor sees, applying it, absent and stopped operators, a style nobody
present can sew, the live bottleneck on the supervise page and the board, role refusals, double submits."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import g
from sqlalchemy import select

from shopfloor import clock
from shopfloor.balance import services
from shopfloor.database import write_transaction
from shopfloor.extensions import db
from shopfloor.models import AuditEntry, Bundle, Operation, Style, User
from shopfloor.scan.services import record_scan
from shopfloor.stoppages import services as stoppages
from shopfloor.vocabulary import SkillLevel, StopReason, StopScope
from tests.conftest import login
from tests.html_forms import SAVED, count, form_for, forms, post_forms, send

# The hand-computed 5-operation example of tests/test_balance_solver.py: SAMs 1.0, 0.5, 0.8, 0.6, 1.1 (total
# 4.0), five operators qualified on every operation at the "expert" level with nothing measured yet. The
# planner uses the level's figure (90 %): optimum 0.9 x 75 = 67.5 pieces an hour, balance efficiency
# 4.0 x 100 / (5 x 60 / 67.5) = 90 %, pitch time 0.8 min.
SAMS = (1.0, 0.5, 0.8, 0.6, 1.1)


@pytest.fixture()
def line5(factory):
    line = factory.line()
    style = factory.style(sams=SAMS)
    order = factory.order(style=style, line=line)
    people = [factory.user("operator", line=line, name=f"Op {n}") for n in "ABCDE"]
    supervisor = factory.user("supervisor", line=line)
    for p in people:
        services.set_skill(supervisor, p.id, machine="Overlock", level=SkillLevel.EXPERT)
    return {"line": line, "style": style, "order": order, "people": people, "supervisor": supervisor}


def _text(resp) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.text))


def _kpi(html: str, name: str) -> str:
    return re.search(rf'data-kpi="{name}">([^<]*)<', html).group(1).strip()


def _assigned(user_id: int) -> int | None:
    db.session.rollback()
    return db.session.get(User, user_id).assigned_operation_id


def test_page_shows_the_hand_computed_optimum(client, line5):
    login(client, line5["supervisor"])
    resp = client.get(f"/balance?line={line5['line'].id}")
    assert resp.status_code == 200
    assert _kpi(resp.text, "output") == "67.5"
    assert _kpi(resp.text, "balance") == "90.0 %"
    assert _kpi(resp.text, "pitch") == "0.800"
    assert _kpi(resp.text, "operators") == "5"
    # target: the line's plan, 5 x 60 / 4.0 x 70 % = 52.5 an hour; needed = SAM x 52.5 / 60 / 90 %: 3.89 in all
    assert _kpi(resp.text, "target") == "52.5"
    assert _kpi(resp.text, "needed") == "3.9"
    apply = form_for(resp.text, "/balance/apply")
    assert len([n for n, _v in apply.fields if n.startswith("assign-")]) == 5


def test_target_typed_by_the_supervisor(client, line5):
    login(client, line5["supervisor"])
    html = client.get(f"/balance?line={line5['line'].id}&target=45").text
    assert _kpi(html, "target") == "45.0"
    op1 = line5["style"].operations[0]
    row = re.search(rf'data-op="{op1.id}".*?data-needed>([^<]*)<', html, re.S).group(1)
    assert row == "0.83"                              # 1.0 x 45 / 60 / 0.9


def test_apply_assigns_each_operator_and_audits(client, line5):
    login(client, line5["supervisor"])
    page = f"/balance?line={line5['line'].id}"
    html = client.get(page).text
    form = form_for(html, "/balance/apply")
    wanted = {int(n[len("assign-"):]): int(v) for n, v in form.fields if n.startswith("assign-")}
    resp = send(client, form, form.data(), page=page)
    assert resp.status_code == 200 and "Applied: 5 operators moved to new operations" in resp.text
    for uid, op_id in wanted.items():
        assert _assigned(uid) == op_id
    assert count(AuditEntry, AuditEntry.action == "assign_operation") == 5
    # the scan card pre-selects the operator's new operation
    g.pop("_login_user", None)
    someone = line5["people"][0]
    login(client, someone)
    bundle = db.session.scalars(select(Bundle).where(Bundle.order_id == line5["order"].id)).first()
    card = client.get(f"/scan/card?code={bundle.code}", headers={"HX-Request": "true"}).text
    chosen = re.search(r'card-op-chosen"[^>]*>.*?</li>', card, re.S).group(0)
    assert db.session.get(Operation, wanted[someone.id]).name in chosen


def test_apply_sent_twice_applies_once(client, line5):
    login(client, line5["supervisor"])
    page = f"/balance?line={line5['line'].id}"
    form = form_for(client.get(page).text, "/balance/apply")
    first = send(client, form, form.data(), page=page)
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    second = send(client, form, form.data(), page=page)
    assert count(AuditEntry, AuditEntry.action == "assign_operation") == 5
    assert SAVED not in first.text and SAVED in second.text


def test_split_operator_is_assigned_their_main_operation(client, factory):
    """Two operations of 1.0 min, three operators: one splits 50/50 and gets the earlier one."""
    line, style = factory.line(), factory.style(sams=(1.0, 1.0))
    factory.order(style=style, line=line)
    people = [factory.user("operator", line=line) for _ in range(3)]
    sup = factory.user("supervisor", line=line)
    for p in people:
        services.set_skill(sup, p.id, machine="Overlock", level=SkillLevel.QUALIFIED)
    login(client, sup)
    html = client.get(f"/balance?line={line.id}").text
    assert _kpi(html, "output") == "67.5"            # 3 x 60 x 75 % / 2.0
    shares = re.findall(r'data-share="(\d+)">[^<]*· 50 %', html)
    assert len(shares) == 2 and len(set(shares)) == 1
    form = form_for(html, "/balance/apply")
    assert dict(form.fields)[f"assign-{shares[0]}"] == str(style.operations[0].id)


def test_absent_operator_leaves_an_operation_uncovered_and_a_replacement_recovers(client, line5):
    ops, people = line5["style"].operations, line5["people"]
    for p, op in zip(people, ops):                    # everyone on one operation, A on op 1
        factory_assign(p, op)
    login(client, line5["supervisor"])
    absent = people[0]
    present = "&".join(f"present={p.id}" for p in people[1:])
    resp = client.get(f"/balance?line={line5['line'].id}&chosen=1&{present}")
    text = _text(resp)
    assert f"data-uncovered=\"{ops[0].id}\"" in resp.text
    assert f"{absent.name} absent or stopped" in text
    # with everyone: op 5 (1.1 min at 90 %) limits the line to 49.1 an hour; without A it gives nothing
    assert "Output now 0 pcs/h, 49 with everyone assigned." in text and "−49 pcs/h" in text
    assert _kpi(resp.text, "operators") == "4"
    # a replacement: B (op 2, 0.5 min) moved to op 1 leaves op 2 empty: 0 back; nobody else helps more
    move = [f for f in post_forms(resp.text) if f.attrs.get("data-candidate")]
    assert move, "replacements are offered"
    first = move[0]
    uid = int(first.attrs["data-candidate"])
    send(client, first, first.data(), page="/balance")
    assert _assigned(uid) == ops[0].id


def factory_assign(user, op):
    with write_transaction():
        db.session.get(User, user.id).assigned_operation_id = op.id


def test_stopped_operator_counts_as_absent(client, line5):
    a = line5["people"][0]
    factory_assign(a, line5["style"].operations[0])
    stoppages.raise_stop(a, scope=StopScope.OPERATOR, reason=StopReason.BREAKDOWN)
    login(client, line5["supervisor"])
    resp = client.get(f"/balance?line={line5['line'].id}")
    assert "stopped" in _text(resp) and _kpi(resp.text, "operators") == "4"
    assert f'data-uncovered="{line5["style"].operations[0].id}"' in resp.text


def test_style_nobody_present_can_sew_is_refused_and_nothing_assigned(client, line5, factory):
    with write_transaction():
        style = db.session.get(Style, line5["style"].id)
        style.operations.append(Operation(seq=6, name="Buttonhole", machine="Buttonhole machine",
                                          sam=Decimal("0.4"), piece_rate=Decimal("0.02")))
    login(client, line5["supervisor"])
    resp = client.get(f"/balance?line={line5['line'].id}")
    assert resp.status_code == 422
    assert ("Nobody present can run 6. Buttonhole (Buttonhole machine). Nothing was proposed or assigned"
            in _text(resp))
    assert not [f for f in post_forms(resp.text) if f.action == "/balance/apply"]
    # a hand-made apply with an unqualified operator is refused whole
    a, buttonhole = line5["people"][0], style.operations[-1]
    before = _assigned(a.id)
    resp = client.post("/balance/apply", data={"line": line5["line"].id, f"assign-{a.id}": buttonhole.id})
    assert resp.status_code == 422 and "is not qualified for Buttonhole" in resp.text
    assert _assigned(a.id) == before and count(AuditEntry, AuditEntry.action == "assign_operation") == 0


@pytest.mark.parametrize("who", ["operator", "qc"])
def test_roles_refused(client, line5, factory, who):
    login(client, factory.user(who, line=line5["line"]))
    assert client.get(f"/balance?line={line5['line'].id}").status_code == 403
    a, op = line5["people"][0], line5["style"].operations[2]
    resp = client.post("/balance/apply", data={"line": line5["line"].id, f"assign-{a.id}": op.id})
    assert resp.status_code == 403 and _assigned(a.id) is None
    assert client.get("/balance/skills").status_code == 403


def test_live_bottleneck_on_supervise_and_board(client, line5):
    ops, people = line5["style"].operations, line5["people"]
    for p, op in zip(people, ops):
        factory_assign(p, op)
    bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == line5["order"].id)
                                 .order_by(Bundle.number)).all()
    now = clock.utcnow()
    for b in bundles:                                 # 20 pieces at op 1 in the last hour
        record_scan(operator_id=people[0].id, operator_line_id=line5["line"].id, bundle_ref=b.code,
                    operation_id=ops[0].id, qty=10, now=now - timedelta(minutes=30))
    record_scan(operator_id=people[1].id, operator_line_id=line5["line"].id, bundle_ref=bundles[0].code,
                operation_id=ops[1].id, qty=4, now=now - timedelta(minutes=20))
    for op, who in ((ops[2], people[2]), (ops[3], people[3]), (ops[4], people[4])):   # the rest kept up
        record_scan(operator_id=who.id, operator_line_id=line5["line"].id, bundle_ref=bundles[0].code,
                    operation_id=op.id, qty=4, now=now - timedelta(minutes=10))
    login(client, line5["supervisor"])
    text = _text(client.get(f"/supervise?line={line5['line'].id}"))
    # op 2: 4 pieces in the hour against 60 x 1 x 70 % / 0.5 = 84: 5 %, WIP in front +16
    assert f"Live bottleneck: 2. {ops[1].name}, 4 pcs last hour (5 % of its balance), WIP +16" in text
    board = client.get("/board")
    assert f"2. {ops[1].name}" in _text(board) and "4/h of 84" in _text(board)
    assert client.get("/board/live", headers={"HX-PTag": board.headers["HX-PTag"]}).status_code in (200, 304)


def test_each_line_s_live_bottleneck_comes_from_its_own_last_hour(factory):
    """Every line's last hour is read at once: the pieces of one line never count at another's operations, a line
    whose WIP did not grow has none, and a line running a one-operation style is left out."""
    from shopfloor.balance.live import bottlenecks

    now = clock.utcnow()
    found = {}
    for name, second in (("A", 4), ("B", 9), ("C", 20)):
        line, style, order, op = factory.floor(sams=[0.5, 0.5])
        helper = factory.user("operator", line=line, name=f"Helper {name}")
        factory_assign(helper, style.operations[1])
        bundles = db.session.scalars(select(Bundle).where(Bundle.order_id == order.id).order_by(Bundle.number)).all()
        for b in bundles:
            record_scan(operator_id=op.id, operator_line_id=line.id, bundle_ref=b.code,
                        operation_id=style.operations[0].id, qty=10, now=now - timedelta(minutes=30))
        record_scan(operator_id=helper.id, operator_line_id=line.id, bundle_ref=bundles[0].code,
                    operation_id=style.operations[1].id, qty=min(second, 10), now=now - timedelta(minutes=20))
        if second > 10:
            record_scan(operator_id=helper.id, operator_line_id=line.id, bundle_ref=bundles[1].code,
                        operation_id=style.operations[1].id, qty=10, now=now - timedelta(minutes=15))
        found[name] = line
    single_line, single_style, single_order, single_op = factory.floor(sams=[0.5])
    record_scan(operator_id=single_op.id, operator_line_id=single_line.id, bundle_ref=db.session.scalars(
        select(Bundle).where(Bundle.order_id == single_order.id)).first().code,
        operation_id=single_style.operations[0].id, qty=10, now=now - timedelta(minutes=5))
    live = bottlenecks(now)
    a, b = live[found["A"].id], live[found["B"].id]
    assert (a.seq, a.output, a.growth) == (2, 4, 20 - 4)      # its own 4 pieces, not B's 9 or C's 20
    assert (b.seq, b.output, b.growth) == (2, 9, 20 - 9)
    assert found["C"].id not in live                         # C's second operation kept up: no WIP grew
    assert single_line.id not in live


def test_supervise_assignment_is_confirmed_and_limited_to_the_line_style(client, line5, factory):
    other = factory.style(code="OTHER")
    login(client, line5["supervisor"])
    a, op = line5["people"][0], line5["style"].operations[3]
    html = client.get("/supervise").text
    form = form_for(html, f"/supervise/assign/{a.id}")
    choices = re.search(rf'id="u{a.id}".*?name="operation"(.*?)</select>', html, re.S).group(1)
    assert all(o.name in choices for o in line5["style"].operations)
    assert not any(f'value="{o.id}"' in choices for o in other.operations)
    resp = send(client, form, form.data(operation=str(op.id)), page="/supervise")
    assert f"Saved: {a.name} on {line5['line'].code}, {op.name}." in resp.text
    assert _assigned(a.id) == op.id and count(AuditEntry, AuditEntry.action == "assign_operation") == 1


def test_balance_fragment_for_htmx(client, line5):
    login(client, line5["supervisor"])
    resp = client.get(f"/balance?line={line5['line'].id}", headers={"HX-Request": "true"})
    assert resp.text.lstrip().startswith('<div id="balance"') and "<html" not in resp.text
    assert [f for f in forms(resp.text) if f.attrs.get("hx-get")]


def test_present_by_default_means_clocked_in_once_anyone_of_the_line_has(line5):
    """Before anyone clocks in every active operator counts (a factory that does not clock); once some have, the
    balance plans with those clocked in and not gone."""
    from shopfloor import clock
    from tests.time_helpers import clock_in_out
    a, b, c = line5["people"][:3]
    line_id = line5["line"].id
    assert services.floor(line_id).present == {p.id for p in line5["people"]}
    now = clock.utcnow()
    today = clock.local_today()
    local = clock.to_local(now)
    clock_in_out(a, today, (local.hour, local.minute))
    clock_in_out(b, today, (local.hour, local.minute))
    clock_in_out(c, today, (local.hour, local.minute))
    clock_in_out(c, today, (local.hour, local.minute))   # c's second read within 2 minutes changes nothing
    assert services.floor(line_id).present == {a.id, b.id, c.id}
