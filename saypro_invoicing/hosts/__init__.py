"""Hosts: where orders come from. The core asks its host through ``Host`` and never imports one."""

from .protocol import Host, OrderRef, Requestor, TriggerEvent, get_host, reset_host, writer

__all__ = ["Host", "OrderRef", "Requestor", "TriggerEvent", "get_host", "reset_host", "writer"]
