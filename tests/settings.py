"""Settings for the plugin's tests: real PostgreSQL, the sandbox host, Celery eager unless a test starts a worker."""

import os
import tempfile

SECRET_KEY = "saypro-invoicing-tests-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
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
        "NAME": os.environ.get("SAYPRO_DB_NAME", "saypro_invoicing"),
        "USER": os.environ.get("SAYPRO_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("SAYPRO_DB_PASSWORD", "postgres"),
        "HOST": os.environ.get("SAYPRO_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("SAYPRO_DB_PORT", "5432"),
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
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "saypro-tests-media")
SAYPRO_INVOICING = {
    # SAYPRO_PRIVATE_ROOT: a worker process started by an end-to-end test shares the test's storage.
    "PRIVATE_ROOT": (os.environ.get("SAYPRO_PRIVATE_ROOT")
                     or os.path.join(tempfile.gettempdir(), "saypro-tests-private")),
    "PUBLIC_URL": "http://testserver",
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = os.environ.get("SAYPRO_TEST_BROKER", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
LANGUAGE_CODE = "en"
USE_I18N = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"saypro_invoicing": {"handlers": ["console"], "level": "WARNING"}},
}
