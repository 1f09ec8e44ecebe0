"""The single entry point for "an order changed": hooks, the sweeper and backfill all come here."""

from __future__ import annotations

from datetime import datetime

from .hosts import get_host
from .issuing import IssueResult, sync_order
from .sanitize import clean_snapshot
from .snapshot import OrderSnapshot


def order_changed(order_id: str, *, send: bool = True, now: datetime | None = None) -> list[IssueResult]:
    return snapshot_changed(get_host().snapshot(order_id), send=send, now=now)


def snapshot_changed(snapshot: OrderSnapshot, *, send: bool = True, now: datetime | None = None) -> list[IssueResult]:
    snapshot = clean_snapshot(snapshot)  # the host's texts may hold NUL bytes, controls, absurd lengths
    config = get_host().channel_config(snapshot.channel)
    if config is None or not config.active:
        return []
    return sync_order(snapshot, config, send=send, now=now)
