"""What the figures were measured on: machine, versions, date, and how busy the machine was."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from typing import Any


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _pango() -> str:
    try:
        from weasyprint.text.ffi import pango

        version = pango.pango_version()  # major * 10000 + minor * 100 + micro
        return f"{version // 10000}.{version // 100 % 100}.{version % 100}"
    except Exception:  # noqa: BLE001 - a version string is informative, never essential
        return "unknown"


def _postgres() -> str:
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    except Exception:  # noqa: BLE001
        return "unknown"


def _redis() -> str:
    try:
        import redis
        from django.conf import settings

        return redis.Redis.from_url(settings.CELERY_BROKER_URL).info("server")["redis_version"]
    except Exception:  # noqa: BLE001
        return "unknown"


def describe() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu": _cpu_model(),
            "ram_gb": _ram_gb(),
            "os": platform.platform(),
        },
        "versions": {
            "python": sys.version.split()[0],
            "django": _version("Django"),
            "weasyprint": _version("weasyprint"),
            "pango": _pango(),
            "pydyf": _version("pydyf"),
            "celery": _version("celery"),
            "psycopg": _version("psycopg"),
            "postgresql": _postgres(),
            "redis": _redis(),
            "reportlab": _version("reportlab"),
        },
        "load_average_at_start": load_average(),
    }
