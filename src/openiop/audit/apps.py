from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _append_only_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate (and every flush), put back any append-only trigger a table rebuild
    dropped: Django's SQLite schema editor rebuilds a table to alter it (lib/append_only.py)."""
    from openiop.lib import append_only

    append_only.install(connections[using])


class AuditConfig(AppConfig):
    name = "openiop.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        # post_migrate is sent once per app; listening for this one runs it once per migrate.
        post_migrate.connect(_append_only_triggers, sender=self, dispatch_uid="append_only")
