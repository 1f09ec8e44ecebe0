"""The Celery app for running the plugin outside Saleor (demo, tests, benchmarks).

Inside Saleor, Saleor's own Celery app runs the same shared tasks.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

app = Celery("saypro_invoicing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saypro_invoicing"], related_name="tasks")
