"""Settings for `make demo`: SQLite, the sandbox host, Celery eager, files under demo-output/."""

import os

from .settings import *  # noqa: F403
from .settings import LOGGING

OUT = os.path.abspath(os.environ.get("SAYPRO_DEMO_OUT", "demo-output"))
# SQLite creates the database file but not its folder: `manage.py migrate` works before the first demo run.
os.makedirs(OUT, exist_ok=True)

SECRET_KEY = "saypro-invoicing-demo-not-secret"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(OUT, "demo.sqlite3")}}
SAYPRO_INVOICING = {"PRIVATE_ROOT": os.path.join(OUT, "private"), "PUBLIC_URL": "http://localhost:8000"}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
# The demo prints what it made; alerts it provokes on purpose (a held invoice) would only be noise.
LOGGING = {**LOGGING, "loggers": {"saypro_invoicing": {"handlers": ["console"], "level": "CRITICAL"}}}
