"""Django settings for the benchmarks: real PostgreSQL, the sandbox host, Celery over Redis, SMTP on loopback.

The database (default ``saypro_bench``) is created and migrated by the benchmark runner; its tables are
emptied before each stage, so it never needs cleaning by hand.
"""

import os
import tempfile

SECRET_KEY = "saypro-invoicing-bench-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "saypro_invoicing.hosts.sandbox.urls"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "anymail",
    "saypro_invoicing",
    "saypro_invoicing.hosts.sandbox",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("SAYPRO_BENCH_DB", "saypro_bench"),
        "USER": os.environ.get("SAYPRO_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("SAYPRO_DB_PASSWORD", "postgres"),
        "HOST": os.environ.get("SAYPRO_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("SAYPRO_DB_PORT", "5432"),
        # Workers and the benchmark keep their connections, as a production deployment would.
        "CONN_MAX_AGE": None,
    }
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]
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
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"saypro_invoicing": {"handlers": ["console"], "level": "ERROR"}},
}
