"""All models, imported so that metadata and Alembic see every table."""
from shopfloor.models.people import Line, Role, User  # noqa: F401
from shopfloor.models.catalog import Operation, Style  # noqa: F401
from shopfloor.models.orders import Order, OrderQuantity, OrderStatusChange  # noqa: F401
from shopfloor.models.bundles import Bundle, BundleOpProgress, BundleStatus  # noqa: F401
from shopfloor.models.worklog import LineHourOutput, OperatorDay, OrderOpProgress, WorkLog  # noqa: F401
from shopfloor.models.quality import AqlAudit, CustomerReturn, DefectType, Inspection, InspectionDefect, Rework  # noqa: F401
from shopfloor.models.planning import Material, Milestone, Supplier  # noqa: F401
from shopfloor.models.forms import FormSubmission, SubmissionStatus  # noqa: F401
from shopfloor.models.held import HeldScan  # noqa: F401
from shopfloor.models.access import AuditEntry, AuthSession, InstanceSecret, KioskToken  # noqa: F401
from shopfloor.models.stoppages import Stoppage  # noqa: F401
from shopfloor.models.calendar import (  # noqa: F401
    Attendance, AttendanceCorrection, Holiday, KeptFigures, KeptFiguresDay, KeptFiguresGeneration, OvertimeWindow, Shift,
    ShiftBreak)
from shopfloor.models.skills import MachineSkill, OperationSkill  # noqa: F401
from shopfloor.models.packing import (BundlePacked, Carton, CartonLine, PackAudit, PackAuditCarton, PackEntry,  # noqa: F401
                                       PackingPlan, Shipment)
from shopfloor.models.integration import ApiToken, Webhook, WebhookDelivery  # noqa: F401
