"""The application layer: what staff, customers, Saleor and the schedulers can ask of the plugin.

Every entry point (GraphQL mutations, Saleor's hooks and dashboard actions, the sweeper task and
command, the standalone host) calls these functions, so the same action writes the same records and
audit entries wherever it comes from. Entry points only authorise, parse and call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from . import corrections, issuing
from .conf import ChannelConfig
from .delivery import resend as resending
from .errors import ConfigurationError
from .hosts import get_host, writer
from .models import AuditAction, AuditEntry, BillingDocument, CorrectionRequest
from .release import Released
from .release import release as release_held
from .sla.sweeper import SweepResult
from .sla.sweeper import sweep as sweep_once


def channel_config(channel: str, *, field: str = "id") -> ChannelConfig:
    """The channel's configuration; ConfigurationError when the plugin is not active there."""
    config = get_host().channel_config(channel)
    if config is None or not config.active:
        raise ConfigurationError(f"The plugin is not active in channel {channel}.", field=field)
    return config


def _audit(document: BillingDocument, action: AuditAction, actor: str, **details: Any) -> AuditEntry:
    return AuditEntry.objects.create(document=document, document_number=document.number or "", action=action,
                                     actor=actor[:254], details=details)


def void(document: BillingDocument, *, reason: str, actor: str, config: ChannelConfig | None = None,
         send: bool = True, now: datetime | None = None) -> BillingDocument | None:
    """Void a document (an issued invoice is cancelled by a credit note); returns the credit note, if any.

    The credit note is built from the voided document's frozen snapshot: it cancels what that
    document said, whatever the order looks like now (or if the host has deleted it).
    """
    config = config or channel_config(document.channel)
    with transaction.atomic():
        credit_note = issuing.void(document, config, document.document_content.order, reason=reason, send=send,
                                   now=now)
        _audit(document, AuditAction.VOIDED, actor, reason=reason[:500],
               credit_note=credit_note.number if credit_note is not None and credit_note.number else "")
    document.refresh_from_db()
    return credit_note


def release(document: BillingDocument, *, actor: str, config: ChannelConfig | None = None) -> Released:
    """Run the accuracy gate again on a held document; numbered and delivered when it passes.

    ``release.StillHeld`` (with every reason) when it fails again; the new gate check is kept.
    """
    released = release_held(document, config or channel_config(document.channel))
    _audit(released.document, AuditAction.RELEASED, actor)
    return released


def resend(document: BillingDocument, *, actor: str, email: str | None = None,
           customer: bool = False) -> resending.ResendResult:
    """Send an issued document again (to ``email``, default the order's address); audited as RESEND."""
    return resending.resend(document, email, requested_by=actor, customer=customer)


def request_correction(document: BillingDocument, *, actor: str, reason: str, company_name: str = "",
                       vat_id: str = "", billing_address: dict[str, Any] | None = None) -> CorrectionRequest:
    return corrections.request_correction(document, reason=reason, company_name=company_name, vat_id=vat_id,
                                          billing_address=billing_address, requested_by=actor)


def correct(request: CorrectionRequest, *, approve: bool, actor: str, message: str = "") -> CorrectionRequest:
    """Resolve a correction request: approve (credit note and corrected invoice) or reject (customer told)."""
    return corrections.resolve_correction(request, approve=approve, message=message, resolved_by=actor)


def sweep(*, channels: list[str] | None = None, lookback_days: int | None = None,
          now: datetime | None = None) -> SweepResult:
    """One sweeper pass (missed orders, stalled deliveries, deadlines) in the host's write context."""
    with writer():
        return sweep_once(now, channels=channels, lookback_days=lookback_days)
