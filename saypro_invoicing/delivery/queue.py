"""The delivery tasks' calling convention: what ``deliver_document`` and ``deliver_sms`` are queued with.

Queued through ``dispatch.enqueue``, after the transaction commits (never for a rolled-back document);
the same request twice in one transaction queues one task.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from ..dispatch import TaskName, enqueue
from ..models.delivery import AttemptPurpose


def enqueue_delivery(document_id: uuid.UUID | str, purpose: str = AttemptPurpose.DOCUMENT, recipient: str = "",
                     *, not_before: datetime | None = None) -> None:
    enqueue(TaskName.DELIVER_DOCUMENT, str(document_id), purpose=str(purpose), recipient=recipient,
            not_before=not_before.isoformat() if not_before else "",
            dedupe_key=f"deliver:{document_id}:{purpose}:{recipient}")


def enqueue_sms(document_id: uuid.UUID | str, phone: str) -> None:
    enqueue(TaskName.DELIVER_SMS, str(document_id), phone, dedupe_key=f"sms:{document_id}:{phone}")
