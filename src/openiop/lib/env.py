"""Strict readers for settings that come from environment variables.

Each helper refuses a malformed value with an error that names the variable, so a typo in a
deployment fails at start-up instead of running with a silent default.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class SettingError(ValueError):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise SettingError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_seconds_map(name: str) -> dict[str, int]:
    """`name=seconds,name=seconds` (e.g. `safety.escalate=5`) into a dict."""
    raw = os.environ.get(name, "")
    found: dict[str, int] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip().isdigit() or int(value) < 1:
            raise SettingError(f"{name} must look like job.name=SECONDS,..., not {item!r}")
        found[key.strip()] = int(value)
    return found


def database_from_url(url: str, *, base_dir: str) -> dict[str, Any]:
    """Turn a DATABASE_URL (sqlite:///path or postgres://user:pw@host:port/name) into a
    Django DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative to the project; sqlite:////srv/db.sqlite3 absolute.
        path = unquote(parts.path)[1:]
        if not path:
            raise SettingError(
                "DATABASE_URL for sqlite must name a file: sqlite:///var/openiop.sqlite3"
            )
        if not os.path.isabs(path):
            path = os.path.join(base_dir, path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    if parts.scheme in {"postgres", "postgresql"}:
        name = parts.path.lstrip("/")
        if not name:
            raise SettingError(
                "DATABASE_URL for PostgreSQL must name a database: postgres://host/db"
            )
        options: dict[str, Any] = {}
        for key, values in parse_qs(parts.query).items():
            options[key] = values[-1]
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(name),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise SettingError(
        f"DATABASE_URL scheme must be sqlite or postgres, not {parts.scheme or 'empty'!r}"
    )


# Commands that sign nothing, keep no session and touch no database (`openiop score`) may run
# without OPENIOP_SECRET_KEY. The `openiop` entry point declares them before Django reads the
# settings; nothing else can (there is deliberately no environment variable for it), so the
# web server and every other command keep the rule that production needs a key.
_secret_free_command = False


def declare_secret_free_command() -> None:
    global _secret_free_command
    _secret_free_command = True


def secret_free_command() -> bool:
    return _secret_free_command
