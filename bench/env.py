"""Django for the benchmarks: settings, the benchmark database (created and migrated on demand), clean tables."""

from __future__ import annotations

import os

SETTINGS = "bench.settings"
RECREATED_PREFIX = "saypro_bench"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def ensure_database() -> None:
    """A fresh benchmark database with exactly the migrations' schema.

    A database named saypro_bench* is dropped and created again, so that nothing left by an earlier
    run or an experiment (an index added by hand) changes the figures; any other name is only created
    if missing and migrated.
    """
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    db = settings.DATABASES["default"]
    connections.close_all()
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                         dbname="postgres", autocommit=True) as admin:
        if db["NAME"].startswith(RECREATED_PREFIX):
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)


def reset_tables() -> None:
    """Empty the plugin's and the sandbox's tables (users too), so that every stage starts alike."""
    from django.apps import apps
    from django.db import connection

    tables = [model._meta.db_table for label in ("saypro_invoicing", "saypro_sandbox")
              for model in apps.get_app_config(label).get_models()]
    tables.append("auth_user")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        cursor.execute("ANALYZE")
