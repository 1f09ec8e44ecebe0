"""Archive: the accountant's export, retention (keep, then anonymise) and proof that stored PDFs are untouched.

Kept import-light: ``models.records`` imports ``archive.guards`` while the models load.
"""
