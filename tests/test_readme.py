"""The README says what is true: every setting is documented with its environment variable, and every
command of the Commands section runs as written on the standalone host."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from saypro_invoicing import conf
from saypro_invoicing.errors import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def test_every_setting_is_documented_with_its_environment_variable():
    rows = re.findall(r"^\| `([A-Z_]+)` \| `SAYPRO_INVOICING_([A-Z_]+)` \|", README, flags=re.MULTILINE)
    assert all(setting == variable for setting, variable in rows)
    assert sorted(setting for setting, _ in rows) == sorted(conf._DEFAULTS)


@pytest.mark.parametrize(("name", "raw", "expected"), [
    ("EMAIL_CONNECTION_REUSE", "no", False),
    ("RETENTION_YEARS", "12", 12),
    ("ASSET_DIRS", f"/srv/logos{os.pathsep}/srv/more", ["/srv/logos", "/srv/more"]),
    ("EINVOICE_EXTRA_RULES", '{"xrechnung-ubl": ["/srv/rules/x.xsl"]}', {"xrechnung-ubl": ["/srv/rules/x.xsl"]}),
    ("CELERY_QUEUE", "billing", "billing"),
])
def test_environment_variables_are_read_as_documented(name, raw, expected, settings, monkeypatch):
    settings.SAYPRO_INVOICING = {}
    monkeypatch.setenv(f"SAYPRO_INVOICING_{name}", raw)
    assert conf.setting(name) == expected


@pytest.mark.parametrize(("name", "raw"), [("RETENTION_YEARS", "ten"), ("EINVOICE_EXTRA_RULES", "[1]")])
def test_a_malformed_environment_variable_names_itself(name, raw, settings, monkeypatch):
    settings.SAYPRO_INVOICING = {}
    monkeypatch.setenv(f"SAYPRO_INVOICING_{name}", raw)
    with pytest.raises(ConfigurationError, match=f"SAYPRO_INVOICING_{name}"):
        conf.setting(name)


def _commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", _section("Commands"), flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith("$MANAGE ")]


def test_the_commands_section_lists_every_command():
    commands = {shlex.split(line)[1] for line in _commands()}
    shipped = {p.stem for p in (ROOT / "saypro_invoicing/management/commands").glob("saypro_*.py")}
    # The dashboard app registers with Saleor's app registry: the table says so; it has no standalone line.
    assert commands == shipped - {"saypro_install_dashboard_app"}


def test_every_command_runs_as_written_on_the_standalone_host(tmp_path):
    """The README's own setup lines, then each command line, in a fresh standalone install (SQLite)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saypro_invoicing.hosts.sandbox.demo_settings",
           "SAYPRO_DEMO_OUT": str(tmp_path / "demo-output")}
    manage = [sys.executable, "-m", "django"]  # the README's `.venv/bin/python -m django`
    setup = subprocess.run([*manage, "migrate", "-v", "0"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    for line in _commands():
        argv = shlex.split(line)[1:]
        done = subprocess.run([*manage, *argv], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "ledger.zip").exists()  # the export wrote where the line says


def test_the_readme_installs_from_the_wheel():
    install = _section("Install into Saleor (3.21.56 and newer)")
    assert "make dist" in install and "pip install dist/saypro_invoicing-" in install
