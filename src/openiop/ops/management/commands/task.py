"""`openiop task ID`: the state and progress of a tracked task (the same as its status page),
followed until it finishes with --follow."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.ops.models import TrackedTask
from openiop.ops.tracking import tracked_refresh


def progress_line(tracked: TrackedTask) -> str:
    parts = [f"{tracked.label}: {tracked.get_state_display()}"]
    if tracked.total:
        parts.append(f"{tracked.done} of {tracked.total} ({tracked.percent}%)")
    elif tracked.done:
        parts.append(f"{tracked.done} done")
    if tracked.note:
        parts.append(tracked.note)
    if tracked.attempts > 1:
        parts.append(f"attempt {tracked.attempts}")
    return " · ".join(parts)


class Command(BaseCommand):
    help = "Show a tracked task's state and progress (the id from its status page URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task_id", help="The task's id (UUID).")
        parser.add_argument("--follow", action="store_true", help="Print progress until done.")
        parser.add_argument("--every", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            public_id = UUID(options["task_id"])
        except ValueError:
            raise CommandError(f"{options['task_id']!r} is not a task id.") from None
        tracked = TrackedTask.objects.filter(public_id=public_id).first()
        if tracked is None:
            raise CommandError("No such task.")
        last = ""
        while True:
            tracked = tracked_refresh(tracked)
            line = progress_line(tracked)
            if line != last:
                self.stdout.write(line)
                self.stdout.flush()
                last = line
            if tracked.is_finished or not options["follow"]:
                break
            time.sleep(options["every"])
            tracked.refresh_from_db()
        if tracked.result_url:
            self.stdout.write(f"Result: {tracked.result_url}")
