"""Shared fixtures: real PostgreSQL (pytest-django), the sandbox host, a private storage per test."""

from __future__ import annotations

import shutil

import pytest

from saypro_invoicing.hosts import reset_host
from saypro_invoicing.storage import reset_private_storage

pytest.register_assert_rewrite("tests.smtp", "tests.graphql_fixtures", "tests.graphql_support")


def _sandbox_installed() -> bool:
    from django.conf import settings

    return "saypro_invoicing.hosts.sandbox" in settings.INSTALLED_APPS


# The loopback SMTP server for every suite; the sandbox's GraphQL callers and documents where the
# sandbox host is installed (not in the `saleor` suite, which runs with Saleor's settings).
pytest_plugins = ["tests.smtp"] + (["tests.graphql_fixtures"] if _sandbox_installed() else [])


def isolated_storage(settings, tmp_path, base: dict):
    """A private storage root of the test's own, with the host and storage re-resolved around the test."""
    settings.SAYPRO_INVOICING = {**base, "PRIVATE_ROOT": str(tmp_path / "private")}
    reset_private_storage()
    reset_host()
    yield
    reset_private_storage()
    reset_host()
    shutil.rmtree(tmp_path / "private", ignore_errors=True)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    yield from isolated_storage(settings, tmp_path, settings.SAYPRO_INVOICING)


@pytest.fixture
def channel(db):
    from saypro_invoicing.hosts.sandbox.sample import ensure_channel

    return ensure_channel()


@pytest.fixture(scope="session")
def einvoice_rules():
    """The EN 16931 rule sets and schemas, compiled once for the whole session (as a worker warms up)."""
    from saypro_invoicing.einvoice import rules

    rules.warm()
    return rules


SALEOR_SUITE = "tests/saleor/"


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Say whether the Saleor suite ran, and why not when it did not (make test / CI read this line)."""
    import importlib.util

    counts = {outcome: sum(1 for report in terminalreporter.stats.get(outcome, [])
                           if getattr(report, "nodeid", "").startswith(SALEOR_SUITE)
                           and getattr(report, "when", "call") in ("call", "setup"))
              for outcome in ("passed", "failed", "skipped", "error")}
    if sum(counts.values()):
        figures = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
        line = f"Saleor suite: ran ({figures})."
    elif importlib.util.find_spec("saleor") is None:
        line = ("Saleor suite: skipped, `saleor` is not importable here. It runs inside a Saleor installation: "
                "<saleor-venv>/bin/pytest tests/saleor --ds=saleor.tests.settings (README, Development).")
    else:
        line = "Saleor suite: not run, tests/saleor was not selected in this run."
    terminalreporter.write_sep("-", line)
