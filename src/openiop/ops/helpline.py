"""The numbers the error page shows when the database is down.

That page cannot ask the database for the program's phone, so the numbers are kept in a small
file beside the application (OPENIOP_STATE_DIR/help-phones.json): written after every `migrate`
(each deployment), whenever a program's or the organization's phone changes, and when
`openiop serve` starts. OPENIOP_HELP_PHONE, when set, comes first. Phone numbers and program
names are what a clinic publishes anyway; nothing about any participant is written.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from openiop.programs.models import Organization, Program

log = logging.getLogger("openiop.helpline")

MAX_LINES = 8


def help_file() -> Path:
    return Path(settings.OPENIOP_STATE_DIR) / "help-phones.json"


def help_phones_write() -> None:
    lines: list[dict[str, str]] = []
    for name, phone in (
        Program.objects.filter(is_active=True)
        .exclude(phone="")
        .values_list("name", "phone")
        .order_by("name")
    ):
        lines.append({"name": name, "phone": phone})
    for name, phone in Organization.objects.exclude(phone="").values_list("name", "phone"):
        lines.append({"name": name, "phone": phone})
    target = help_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=".help-phones-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"lines": lines[:MAX_LINES]}, out)
    os.replace(tmp, target)


def help_phones_read() -> list[dict[str, str]]:
    """Never raises: the error page must render whatever state the file is in."""
    found: list[dict[str, str]] = []
    if settings.OPENIOP_HELP_PHONE:
        found.append({"name": "", "phone": settings.OPENIOP_HELP_PHONE})
    try:
        data: Any = json.loads(help_file().read_text(encoding="utf-8"))
        for line in data.get("lines", [])[:MAX_LINES]:
            if isinstance(line, dict) and isinstance(line.get("phone"), str):
                found.append({"name": str(line.get("name", "")), "phone": line["phone"]})
    except (OSError, ValueError, AttributeError):
        pass
    return found


def help_phones_refresh() -> None:
    """Write the file, logging instead of failing (start-up, signals)."""
    try:
        help_phones_write()
    except (OSError, DatabaseError) as exc:
        log.warning("could not write the help phone file: %s", type(exc).__name__)


@receiver(post_migrate)
def _after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", "") == "ops" and not settings.TESTING:
        help_phones_refresh()


@receiver(post_save, sender=Program)
@receiver(post_save, sender=Organization)
def _after_phone_change(sender: Any, **kwargs: Any) -> None:
    if not settings.TESTING:
        transaction.on_commit(help_phones_refresh)
