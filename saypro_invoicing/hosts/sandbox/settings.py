"""Base Django settings for running the plugin without Saleor: the demo, the tests and the benchmarks.

Each of them imports this and sets what differs (database, Celery, storage roots).
"""

import os

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
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]
CELERY_RESULT_BACKEND = None
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"saypro_invoicing": {"handlers": ["console"], "level": "WARNING"}},
}


def postgres(name: str, **options: object) -> dict[str, object]:
    """A PostgreSQL connection on the standard local port; SAYPRO_DB_* environment variables override."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": os.environ.get("SAYPRO_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("SAYPRO_DB_PASSWORD", "postgres"),
        "HOST": os.environ.get("SAYPRO_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("SAYPRO_DB_PORT", "5432"),
        **options,
    }
