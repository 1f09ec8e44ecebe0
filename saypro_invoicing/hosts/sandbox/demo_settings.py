"""Settings for `make demo`: SQLite, the sandbox host, Celery eager, files under demo-output/."""

import os

OUT = os.path.abspath(os.environ.get("SAYPRO_DEMO_OUT", "demo-output"))

SECRET_KEY = "saypro-invoicing-demo-not-secret"
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
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(OUT, "demo.sqlite3")}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]
SAYPRO_INVOICING = {"PRIVATE_ROOT": os.path.join(OUT, "private"), "PUBLIC_URL": "http://localhost:8000"}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"saypro_invoicing": {"handlers": ["console"], "level": "ERROR"}},
}
