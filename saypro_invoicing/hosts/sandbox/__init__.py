"""A small standalone host: its own order tables and sample data, for the demo and host-agnostic tests.

It is a host, not a copy of Saleor: orders are stored as the snapshots Saleor's adapter would build.
"""
