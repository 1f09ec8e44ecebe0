"""The plugin's own records. Saleor's tables are never written here, only through the host."""

from .corrections import CorrectionRequest
from .delivery import DeliveryAttempt, DeliveryEvent, Reminder, Suppression
from .documents import BillingDocument, GateCheck, NumberSequence
from .files import DocumentFile
from .inbox import OrderEvent
from .records import AuditAction, AuditEntry, BackfillRun, SlaBreach, StaffAlert

__all__ = [
    "AuditAction",
    "AuditEntry",
    "BackfillRun",
    "BillingDocument",
    "CorrectionRequest",
    "DeliveryAttempt",
    "DeliveryEvent",
    "DocumentFile",
    "GateCheck",
    "NumberSequence",
    "OrderEvent",
    "Reminder",
    "SlaBreach",
    "StaffAlert",
    "Suppression",
]
