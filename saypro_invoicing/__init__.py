"""SayPro Invoicing: invoices, receipts and credit notes for Saleor orders."""

__version__ = "0.1.0"
