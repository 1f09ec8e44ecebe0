"""Django settings for the benchmarks: real PostgreSQL, the sandbox host, Celery over Redis, SMTP on loopback.

The database (default ``saypro_bench``) is created and migrated by the benchmark runner; its tables are
emptied before each stage, so it never needs cleaning by hand.
"""

import os
import tempfile

from saypro_invoicing.hosts.sandbox.settings import *  # noqa: F403
from saypro_invoicing.hosts.sandbox.settings import LOGGING, postgres

SECRET_KEY = "saypro-invoicing-bench-not-secret"
# Workers and the benchmark keep their connections, as a production deployment would.
DATABASES = {"default": postgres(os.environ.get("SAYPRO_BENCH_DB", "saypro_bench"), CONN_MAX_AGE=None)}
# Sessions without a database row per login: force_login in the API benchmark stays out of the figures.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
BENCH_ROOT = os.environ.get("SAYPRO_BENCH_ROOT", os.path.join(tempfile.gettempdir(), "saypro-bench"))
MEDIA_ROOT = os.path.join(BENCH_ROOT, "media")
SAYPRO_INVOICING = {
    "PRIVATE_ROOT": os.path.join(BENCH_ROOT, "private"),
    "PUBLIC_URL": "http://localhost:8000",
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CELERY_BROKER_URL = os.environ.get("SAYPRO_BENCH_BROKER", "redis://127.0.0.1:6379/7")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
LOGGING = {**LOGGING, "loggers": {"saypro_invoicing": {"handlers": ["console"], "level": "ERROR"}}}
