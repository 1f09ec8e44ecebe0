"""The ``saleor`` suite: runs inside a real Saleor installation, with Saleor's settings and fixtures.

Run it from the repository root in an environment where Saleor and this package are installed:

    DATABASE_URL=postgres://saleor:saleor@127.0.0.1:5432/saleor \\
      <saleor-venv>/bin/pytest tests/saleor --ds=saleor.tests.settings -p no:cacheprovider --reuse-db

Without Saleor (our own ``make test``) every module here is ignored at collection.
"""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("saleor") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    from .saleor_setup import *  # noqa: F403  (Saleor's fixture modules, DB trick and our fixtures)
    from .saleor_setup import _private_storage, pytest_plugins  # noqa: F401  (underscored: not in *)
