"""Suppressed addresses: hard bounces and complaints are not mailed again until staff clear them."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import BillingDocument, Suppression


def normalise(address: str) -> str:
    return (address or "").strip().lower()


def is_suppressed(address: str) -> bool:
    return Suppression.objects.filter(address=normalise(address), cleared_at__isnull=True).exists()


def suppress(address: str, reason: str, *, detail: str = "", document: BillingDocument | None = None) -> Suppression:
    """Suppress an address (once: an address already suppressed keeps its first reason)."""
    address = normalise(address)
    existing = Suppression.objects.filter(address=address, cleared_at__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Suppression.objects.create(address=address, reason=reason, detail=detail[:2000], document=document)
    except IntegrityError:
        return Suppression.objects.get(address=address, cleared_at__isnull=True)


def clear_suppression(address: str, by: str) -> int:
    """Staff cleared the address: later documents are mailed to it again. Returns how many rows were cleared."""
    return Suppression.objects.filter(address=normalise(address), cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=by[:254])
