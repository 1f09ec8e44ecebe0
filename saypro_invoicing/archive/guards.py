"""Retention guard on documents: set retain_until on save, refuse deletion before it.

Connected when the models load (imported by models/records.py), so every path is covered:
instance.delete(), QuerySet.delete() (which sends pre_delete per row) and cascades.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from ..conf import setting
from ..errors import ErrorCode, SayproInvoicingError
from ..models.documents import BillingDocument


class RetentionError(SayproInvoicingError):
    """A document may not be deleted before its retention period ends."""

    code = ErrorCode.RETENTION_ACTIVE


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February into a common year
        return moment.replace(year=moment.year + years, day=28)


def retention_years() -> int:
    return int(setting("RETENTION_YEARS"))


def retention_end(document: BillingDocument) -> datetime:
    if document.retain_until is not None:
        return document.retain_until
    return add_years(document.issued_at or document.created_at or timezone.now(), retention_years())


@receiver(pre_save, sender=BillingDocument, dispatch_uid="saypro_invoicing_retain_until")
def _set_retain_until(sender: type[BillingDocument], instance: BillingDocument, **kwargs: Any) -> None:
    if instance.retain_until is None:
        instance.retain_until = add_years(instance.issued_at or timezone.now(), retention_years())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "retain_until" not in update_fields:
            # A partial save would silently drop the value: store it separately.
            BillingDocument.objects.filter(pk=instance.pk, retain_until__isnull=True).update(
                retain_until=instance.retain_until)


@receiver(pre_delete, sender=BillingDocument, dispatch_uid="saypro_invoicing_refuse_early_delete")
def _refuse_early_delete(sender: type[BillingDocument], instance: BillingDocument, **kwargs: Any) -> None:
    end = retention_end(instance)
    if end > timezone.now():
        raise RetentionError(
            f"{instance} must be kept until {end:%Y-%m-%d} (SAYPRO_INVOICING['RETENTION_YEARS'] = "
            f"{retention_years()}); it cannot be deleted before. After that, anonymise it with "
            "manage.py saypro_invoicing_retention.")
