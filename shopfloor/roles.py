"""Who may reach each endpoint: the one table the route guard reads (`auth/login.guard`).

Every endpoint of the app is declared here; one that is not is refused to everyone (and
tests/test_roles.py fails). Admin passes every role check. README "Roles" and docs/architecture.md
describe the same table in words.
"""
from __future__ import annotations

from dataclasses import dataclass

OPERATOR, QC, SUPERVISOR, MANAGER, ADMIN = "operator", "qc", "supervisor", "manager", "admin"
ROLES = (OPERATOR, QC, SUPERVISOR, MANAGER, ADMIN)


@dataclass(frozen=True)
class Rule:
    roles: frozenset = frozenset()  # signed-in roles let in (admin always)
    public: bool = False            # no sign-in needed (sign-in pages, static files)
    kiosk: bool = False             # the wall board's read-only token (?token=) opens it without sign-in
    hot: bool = False               # scan API: only the open session is checked; the service checks the role


def allow(*roles: str, kiosk: bool = False, hot: bool = False) -> Rule:
    return Rule(roles=frozenset(roles), kiosk=kiosk, hot=hot)


PUBLIC = Rule(public=True)
SIGNED_IN = allow(*ROLES)
SCANNERS = allow(OPERATOR, SUPERVISOR, MANAGER)
INSPECTORS = allow(QC, SUPERVISOR, MANAGER)
MANAGERS = allow(MANAGER)
PLANNERS = allow(MANAGER, SUPERVISOR)      # the supervisor reads orders, the schedule and prints tickets
FINAL_AUDITORS = allow(QC, MANAGER)         # AQL final audits and customer returns are recorded by qc or manager
RECHECKERS = allow(QC, SUPERVISOR)          # re-checks are inspections: qc or supervisor, not the manager
SUPERVISORS = allow(SUPERVISOR, MANAGER)

RULES: dict[str, Rule] = {
    "static": PUBLIC,
    "public.manifest": PUBLIC,
    "public.service_worker": PUBLIC,
    "public.favicon": PUBLIC,
    # phone set-up: the CA certificate and the HTTPS address (nothing of the factory's data)
    "lan.setup": PUBLIC,
    "lan.ca_certificate": PUBLIC,
    "lan.qr_image": PUBLIC,
    # sign-in
    "auth.login": PUBLIC,
    "auth.login_pin": PUBLIC,
    "auth.login_password": PUBLIC,
    "auth.login_badge": PUBLIC,
    "auth.badge_link": PUBLIC,
    "auth.language": PUBLIC,
    "auth.logout": PUBLIC,  # ends this device's session, if any (a second press is answered as sent twice)
    "auth.logout_everywhere": SIGNED_IN,
    "auth.unlock": allow(SUPERVISOR),
    "home.index": SIGNED_IN,
    # admin screens (admin passes every check; nobody else is listed)
    "admin.index": allow(ADMIN),
    "admin.rotate_kiosk": allow(ADMIN),
    "admin.reissue_badge": allow(ADMIN),
    "admin.revoke_badge": allow(ADMIN),
    "admin.sign_out_user": allow(ADMIN),
    "admin.unlock": allow(ADMIN),
    # people and lines (the manager manages everyone but admins: people/rules.may_manage)
    "people.index": MANAGERS,
    "people.new": MANAGERS,
    "people.add_operator": MANAGERS,
    "people.add_staff": MANAGERS,
    "people.person": MANAGERS,
    "people.update": MANAGERS,
    "people.set_active": MANAGERS,
    "people.reset_pin": MANAGERS,
    "people.reset_password": MANAGERS,
    "people.unlock": MANAGERS,
    "people.new_badge": MANAGERS,
    "people.badges_pdf": MANAGERS,
    "people_import.page": MANAGERS,
    "people_import.check": MANAGERS,
    "people_import.confirm": MANAGERS,
    "people_import.sample": MANAGERS,
    "lines.index": MANAGERS,
    "lines.add": MANAGERS,
    "lines.update": MANAGERS,
    "lines.set_active": MANAGERS,
    # scanning
    "scan.page": SCANNERS,
    "scan.card": SCANNERS,
    "scan.log": SCANNERS,
    "scan.undo": SCANNERS,
    "scan.ticket_link": allow(OPERATOR, SUPERVISOR, MANAGER, QC),
    "api.create_scan": allow(OPERATOR, SUPERVISOR, MANAGER, hot=True),
    # wall board
    "board.page": allow(OPERATOR, QC, SUPERVISOR, MANAGER, kiosk=True),
    "board.live": allow(OPERATOR, QC, SUPERVISOR, MANAGER, kiosk=True),
    # quality
    "quality.inspect": INSPECTORS,
    "quality.bundle": INSPECTORS,
    "quality.record": INSPECTORS,
    "quality.rework": allow(QC, SUPERVISOR, MANAGER),   # the manager sees the rework queue (read only)
    "quality.recheck": RECHECKERS,
    "quality.my_rework": allow(OPERATOR, SUPERVISOR),
    # operators repair their own rework; customer-return rework (no operator) only qc or a supervisor
    # (quality/services.mark_repaired); the manager does not repair
    "quality.repaired": allow(OPERATOR, QC, SUPERVISOR),
    "quality.audit": INSPECTORS,                  # the supervisor may plan and read audits
    "quality.audit_report": INSPECTORS,
    "quality.audit_record": FINAL_AUDITORS,
    "quality.returns": INSPECTORS,                # the supervisor may read returns
    "quality.return_record": FINAL_AUDITORS,
    "quality.defects": MANAGERS,
    "quality.defect_save": MANAGERS,
    # an operation's and a defect's name in each floor language (shopfloor/names)
    "names.operations": MANAGERS,
    "names.operations_save": MANAGERS,
    "names.defects": MANAGERS,
    "names.defects_save": MANAGERS,
    # planning
    "planning.styles_list": MANAGERS,
    "planning.style": MANAGERS,
    "planning.style_create": MANAGERS,
    "planning.style_update": MANAGERS,
    "planning.operation_add": MANAGERS,
    "planning.operation_update": MANAGERS,
    "planning.orders": PLANNERS,
    "planning.order": PLANNERS,
    "planning.order_grid": MANAGERS,
    "planning.order_create": MANAGERS,
    "planning.order_cut": MANAGERS,
    "planning.milestone_update": MANAGERS,
    "planning.material_add": MANAGERS,
    "planning.material_receive": MANAGERS,
    "planning.schedule_page": PLANNERS,
    "tickets.order_pdf": PLANNERS,
    # review
    "review.index": PLANNERS,
    "review.bundle": PLANNERS,
    "review.export_worklog": PLANNERS,
    "review.export_qc": allow(MANAGER, SUPERVISOR, QC),
    "review.export_stops": PLANNERS,
    "review.export_payslips": PLANNERS,
    "review.my_day": allow(OPERATOR),
    # supervise
    "supervise.index": SUPERVISORS,
    "supervise.assign": SUPERVISORS,
    "supervise.correct": SUPERVISORS,
    "supervise.held_credit": SUPERVISORS,   # scans held because their maker could not be verified
    "supervise.held_discard": SUPERVISORS,
    # stoppages (andon): an operator stops their own work; the supervisor stops an operator, a machine or a
    # line, acknowledges and closes (there is no mechanic role)
    "stoppages.page": allow(OPERATOR, SUPERVISOR),
    "stoppages.status": allow(OPERATOR, SUPERVISOR),
    "stoppages.raise_stop": allow(OPERATOR, SUPERVISOR),
    "stoppages.acknowledge": allow(SUPERVISOR),
    "stoppages.close": allow(SUPERVISOR),
    # shift calendar: shifts per line, holidays, overtime approved for a day (audited)
    "shifts.index": MANAGERS,
    "shifts.shift_save": MANAGERS,
    "shifts.shift_delete": MANAGERS,
    "shifts.holiday_add": MANAGERS,
    "shifts.holiday_delete": MANAGERS,
    "shifts.overtime_approve": MANAGERS,
    "shifts.overtime_delete": MANAGERS,
    # attendance: who is present per line, corrections with a reason (audited)
    "attendance.presence": SUPERVISORS,
    "attendance.correct": SUPERVISORS,
    # the gate: a phone or tablet a supervisor (or manager) signed in; any operator's signed badge clocks in/out
    "attendance.gate": SUPERVISORS,
    "attendance.punch": SUPERVISORS,
}


def rule_for(endpoint: str | None) -> Rule | None:
    return RULES.get(endpoint or "")


def roles_of(endpoint: str) -> tuple[str, ...]:
    """The roles declared for an endpoint (for a service that checks the role itself)."""
    return tuple(sorted(RULES[endpoint].roles))


def may(user, endpoint: str) -> bool:
    """Whether a signed-in user's role is let into an endpoint (for links and buttons)."""
    rule = rule_for(endpoint)
    if rule is None or not getattr(user, "is_authenticated", False):
        return False
    return rule.public or user.has_role(*rule.roles)
