"""EN 16931 e-invoices: XML writers (CII, UBL), their validation, the Factur-X PDF and the stored files.

Every writer reads the document model (document.model.BillingModel) and the document number only;
none computes a figure. The gate (``gate.check``) writes each XML the channel asks for and validates it
against its XSD and the EN 16931 rules before the document is numbered.
"""
