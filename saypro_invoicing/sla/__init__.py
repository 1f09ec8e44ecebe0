"""Proof of "delivered within 24 hours": the sweeper that repairs gaps, deadline alerts, the report, reconciliation.

Kept import-light: settings modules import ``saypro_invoicing.sla.beat`` before Django is set up.
"""
