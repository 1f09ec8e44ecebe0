"""Queue delivery work after the issuing transaction commits (never for rolled-back documents)."""

from __future__ import annotations

import uuid

from django.db import transaction

from ..conf import setting


def enqueue_document(document_id: uuid.UUID | str, *, purpose: str = "document", recipient: str = "") -> None:
    from .tasks import deliver_document

    transaction.on_commit(
        lambda: deliver_document.apply_async(args=[str(document_id)], kwargs={"purpose": purpose,
                                                                           "recipient": recipient},
                                             queue=setting("CELERY_QUEUE"))
    )


def enqueue_staff_alert(alert_id: int) -> None:
    from .tasks import send_staff_alert

    transaction.on_commit(lambda: send_staff_alert.apply_async(args=[alert_id], queue=setting("CELERY_QUEUE")))
