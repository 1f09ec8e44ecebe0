"""Settings for the plugin's tests: real PostgreSQL, the sandbox host, Celery eager unless a test starts a worker."""

import os
import tempfile

from saypro_invoicing.hosts.sandbox.settings import *  # noqa: F403
from saypro_invoicing.hosts.sandbox.settings import postgres

SECRET_KEY = "saypro-invoicing-tests-not-secret"
DATABASES = {"default": postgres(os.environ.get("SAYPRO_DB_NAME", "saypro_invoicing"))}
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "saypro-tests-media")
STATIC_URL = "/static/"  # the live server of the browser tests (tests/browser) needs one
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
