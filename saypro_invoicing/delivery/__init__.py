"""Delivery: getting issued documents to customers, and knowing that they got there."""
