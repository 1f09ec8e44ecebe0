"""Polite reminders for unpaid invoices, on the channel's schedule (e.g. 1, 7 and 14 days after due).

At most one reminder per invoice and run: a run that was missed for a while sends the latest due
step, not a burst of all the missed ones. Payment is checked with the host right before sending,
so the reminders stop the moment the order is paid, refunded or cancelled.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..errors import SayproInvoicingError
from ..hosts import get_host
from ..issuing import update_payment_status
from ..models import BillingDocument, Reminder
from ..models.delivery import AttemptPurpose, AttemptStatus
from ..models.documents import DocumentStatus, PaymentStatus
from ..money import quantize
from ..snapshot import DocumentType
from ..triggers import CANCELLED_STATUSES
from .email import ReminderInfo
from .service import deliver

logger = logging.getLogger(__name__)

UNPAID = (PaymentStatus.UNPAID, PaymentStatus.PARTIALLY_PAID)
# "Please pay by": this long after the reminder.
PAY_WITHIN = timedelta(days=7)


def candidates(now: datetime):
    credited = BillingDocument.objects.filter(corrects=OuterRef("pk"), type=DocumentType.CREDIT_NOTE).exclude(
        status=DocumentStatus.VOID)
    return (BillingDocument.objects.filter(type=DocumentType.INVOICE, status=DocumentStatus.ISSUED,
                                           number__isnull=False, due_at__isnull=False, due_at__lte=now,
                                           payment_status__in=UNPAID)
            .exclude(Exists(credited)).order_by("due_at", "pk"))


def due_step(invoice: BillingDocument, days: tuple[int, ...], max_count: int, now: datetime) -> tuple[int, int] | None:
    """The latest (step, days after due) whose time has come, or None."""
    if invoice.due_at is None:
        return None
    due_at = invoice.due_at
    due = [(index + 1, day) for index, day in enumerate(days[:max_count]) if now >= due_at + timedelta(days=day)]
    return due[-1] if due else None


def send_due_reminders(now: datetime | None = None) -> int:
    """Send every reminder that is due; returns how many were accepted by the mail server."""
    now = now or timezone.now()
    host = get_host()
    sent = 0
    for invoice in candidates(now).iterator(chunk_size=200):
        config = host.channel_config(invoice.channel)
        if config is None or not config.reminder_days or config.reminder_max_count < 1:
            continue
        step = due_step(invoice, config.reminder_days, config.reminder_max_count, now)
        if step is None or Reminder.objects.filter(document=invoice, step__gte=step[0], sent_at__isnull=False).exists():
            continue
        try:
            snapshot = host.snapshot(invoice.order_id)
        except SayproInvoicingError:
            logger.warning("saypro_invoicing: order %s of %s is gone; no reminder", invoice.order_id, invoice)
            continue
        if snapshot.status.lower() in CANCELLED_STATUSES or snapshot.cancelled_at or snapshot.total_refunded > 0:
            continue
        update_payment_status(invoice, snapshot)
        amount_due = quantize(invoice.total - snapshot.total_charged, invoice.currency)
        if invoice.payment_status not in UNPAID or amount_due <= 0:
            continue
        reminder = _reminder_row(invoice, *step)
        if reminder.sent_at is not None:
            continue
        outcome = deliver(str(invoice.pk), AttemptPurpose.REMINDER, not_before=reminder.created_at,
                          reminder=ReminderInfo(step=step[0], amount_due=amount_due, deadline=now + PAY_WITHIN))
        if outcome.attempt is not None:
            Reminder.objects.filter(pk=reminder.pk).update(attempt=outcome.attempt)
        if outcome.status == AttemptStatus.SENT:
            Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
            BillingDocument.objects.filter(pk=invoice.pk).update(
                reminder_count=Reminder.objects.filter(document=invoice, sent_at__isnull=False).count())
            sent += 1
    return sent


def _reminder_row(invoice: BillingDocument, step: int, days: int) -> Reminder:
    try:
        with transaction.atomic():
            reminder, _ = Reminder.objects.get_or_create(document=invoice, step=step,
                                                         defaults={"days_after_due": days})
    except IntegrityError:
        reminder = Reminder.objects.get(document=invoice, step=step)
    return reminder
