"""Who may reach each endpoint: the one table the route guard reads (`auth/login.guard`).

Every endpoint of the app is declared here; one that is not is refused to everyone (and
tests/test_roles.py fails). Admin passes every role check. README "Roles" and docs/architecture.md
describe the same table in words.
"""
from __future__ import annotations

from dataclasses import dataclass

OPERATOR, QC, PACKER, SUPERVISOR, MANAGER, ADMIN = "operator", "qc", "packer", "supervisor", "manager", "admin"
ROLES = (OPERATOR, QC, PACKER, SUPERVISOR, MANAGER, ADMIN)


@dataclass(frozen=True)
class Rule:
    roles: frozenset = frozenset()  # signed-in roles let in (admin always)
    public: bool = False            # no sign-in needed (sign-in pages, static files)
    kiosk: bool = False             # the wall board's read-only token (?token=) opens it without sign-in
    hot: bool = False               # scan API: only the open session is checked; the service checks the role
    token_scopes: frozenset = frozenset()  # JSON API: an API token holding one of these scopes opens it (api/tokens.py)


def allow(*roles: str, kiosk: bool = False, hot: bool = False, token: tuple[str, ...] = ()) -> Rule:
    return Rule(roles=frozenset(roles), kiosk=kiosk, hot=hot, token_scopes=frozenset(token))


PUBLIC = Rule(public=True)
SIGNED_IN = allow(*ROLES)
SCANNERS = allow(OPERATOR, SUPERVISOR, MANAGER)
INSPECTORS = allow(QC, SUPERVISOR, MANAGER)
MANAGERS = allow(MANAGER)
PLANNERS = allow(MANAGER, SUPERVISOR)      # the supervisor reads orders, the schedule and prints tickets
FINAL_AUDITORS = allow(QC, MANAGER)         # AQL final audits and customer returns are recorded by qc or manager
RECHECKERS = allow(QC, SUPERVISOR)          # re-checks are inspections: qc or supervisor, not the manager
SUPERVISORS = allow(SUPERVISOR, MANAGER)
PACKERS = allow(PACKER, SUPERVISOR, MANAGER)          # pack by scan, close cartons, print carton labels
PACKING_READERS = allow(PACKER, QC, SUPERVISOR, MANAGER)  # an order's plan and cartons, shipments, papers

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
    "integrations.index": allow(ADMIN),          # API tokens and webhooks (shopfloor/api/admin.py)
    "integrations.token_create": allow(ADMIN),
    "integrations.token_revoke": allow(ADMIN),
    "integrations.webhook_create": allow(ADMIN),
    "integrations.webhook_delete": allow(ADMIN),
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
    "api.create_scan": allow(OPERATOR, SUPERVISOR, MANAGER, hot=True, token=("scan",)),
    # JSON API v1 (shopfloor/api/routes.py): a session of these roles, or an API token with the scope named
    "v1.openapi": PUBLIC,        # the description of the API (no factory data)
    "v1.docs": PUBLIC,
    "v1.styles": allow(MANAGER, SUPERVISOR, token=("read",)),
    "v1.style": allow(MANAGER, SUPERVISOR, token=("read",)),
    "v1.style_create": allow(MANAGER, token=("plan",)),
    "v1.style_update": allow(MANAGER, token=("plan",)),
    "v1.orders": allow(MANAGER, SUPERVISOR, token=("read",)),
    "v1.order": allow(MANAGER, SUPERVISOR, token=("read",)),
    "v1.order_create": allow(MANAGER, token=("plan",)),
    "v1.order_bundles": allow(MANAGER, SUPERVISOR, token=("read",)),
    "v1.worklog": allow(MANAGER, SUPERVISOR, token=("read",)),
    "v1.inspections": allow(QC, SUPERVISOR, MANAGER, token=("read",)),
    "v1.figures": allow(MANAGER, SUPERVISOR, token=("read",)),
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
    "planning.order_status": MANAGERS,
    "planning.order_update": MANAGERS,
    "planning.order_reconciliation_csv": PLANNERS,
    "planning.milestone_update": MANAGERS,
    "planning.material_add": MANAGERS,
    "planning.material_receive": MANAGERS,
    "planning.schedule_page": PLANNERS,
    "imports.page": MANAGERS,
    "imports.check": MANAGERS,
    "imports.confirm": MANAGERS,
    "imports.template": MANAGERS,
    "tickets.order_pdf": PLANNERS,
    # review
    "review.index": PLANNERS,
    "review.bundle": PLANNERS,
    "review.export_worklog": PLANNERS,
    "review.export_qc": allow(MANAGER, SUPERVISOR, QC),
    "review.export_stops": PLANNERS,
    "review.export_payslips": PLANNERS,
    "review.export_reconciliation": PLANNERS,
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
    "stoppages.cancel": allow(OPERATOR, SUPERVISOR),
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
    # line balance and the skill matrix (issue 14): the supervisor (and the manager) sets levels, reads the
    # proposal and applies it
    "balance.page": SUPERVISORS,
    "balance.apply": SUPERVISORS,
    "balance.skills": SUPERVISORS,
    "balance.skill_save": SUPERVISORS,
    # packing: the packer packs by scan, closes cartons and prints their labels; the manager plans the packing
    # of an order, makes its cartons and ships; qc (and the manager) audit packed cartons
    "packing.pack_page": PACKERS,
    "packing.pack": PACKERS,
    "packing.close": PACKERS,
    "packing.order": PACKING_READERS,
    "packing.plan_save": MANAGERS,
    "packing.cartons_make": MANAGERS,
    "packing.labels_pdf": PACKERS,
    "packing.labels_zpl": PACKERS,
    "packing.labels_print": PACKERS,
    "tickets.order_zpl": PLANNERS,
    "tickets.order_print": PLANNERS,
    # shipping
    "shipping.shipments_list": PACKING_READERS,
    "shipping.shipment": PACKING_READERS,
    "shipping.shipment_create": MANAGERS,
    "shipping.shipment_add": MANAGERS,
    "shipping.shipment_remove": MANAGERS,
    "shipping.shipment_ship": MANAGERS,
    "shipping.packing_list_pdf": PACKING_READERS,
    "shipping.packing_list_csv": PACKING_READERS,
    "shipping.delivery_note_pdf": PACKING_READERS,
    "shipping.audit_start": FINAL_AUDITORS,
    "shipping.audit": allow(QC, SUPERVISOR, MANAGER),
    "shipping.audit_record": FINAL_AUDITORS,
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
