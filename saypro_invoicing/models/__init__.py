"""The plugin's own records. Saleor's tables are never written here, only through the host."""

from .corrections import CorrectionRequest
from .delivery import DeliveryAttempt, DeliveryEvent, Reminder, Suppression
from .documents import BillingDocument, GateCheck, NumberSequence
from .records import AuditEntry, BackfillRun, SlaBreach, StaffAlert

__all__ = [
    "AuditEntry",
    "BackfillRun",
    "BillingDocument",
    "CorrectionRequest",
    "DeliveryAttempt",
    "DeliveryEvent",
    "GateCheck",
    "NumberSequence",
    "Reminder",
    "SlaBreach",
    "StaffAlert",
    "Suppression",
]
