"""The inbox: what the host told us about an order, recorded in the host's request and processed by a worker."""

from __future__ import annotations

from django.db import models


class OrderEvent(models.Model):
    """One host event ("order_fully_paid" for order X at T); a worker turns pending events into documents.

    Rows are tiny and written in the host's request, so the request pays one INSERT; everything
    else (snapshot, gate, numbering, rendering) happens in the worker. ``processed_at`` stays empty
    until a worker has synced the order after this event; the sweeper picks up rows left pending.
    """

    order_id = models.CharField(max_length=64)
    channel = models.CharField(max_length=128, blank=True, default="")
    kind = models.CharField(max_length=48)
    occurred_at = models.DateTimeField()
    # Where the host names the movement behind the event (not Saleor's order hooks, which pass only the order).
    payment_reference = models.CharField(max_length=128, blank=True, default="")
    refund_reference = models.CharField(max_length=128, blank=True, default="")
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            # Only pending rows are ever looked up; the partial index stays as small as the backlog.
            models.Index(fields=["order_id", "id"], condition=models.Q(processed_at__isnull=True),
                         name="saypro_orderevent_pending"),
            models.Index(fields=["occurred_at"], condition=models.Q(processed_at__isnull=True),
                         name="saypro_orderevent_stale"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
