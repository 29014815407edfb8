"""Runs an `openiop` command (the worker, the scheduler) as its own process with a frozen clock:
`python -m tests.e2e.clocked CLOCK_FILE worker --interval 0.2`.

CLOCK_FILE holds one ISO 8601 instant. The process's wall clock (time.time, datetime.now, what
Django's timezone.now reads) stands still at that instant and jumps whenever the test writes a
new one; monotonic time and sleeps are untouched, so the worker's and the scheduler's own loops
run at their usual pace. The command itself is the real one (`openiop worker`, `openiop
scheduler`), reading its database from DATABASE_URL like any deployment. Used by
tests/e2e/test_first_week_journey.py.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import datetime
from pathlib import Path

import time_machine


def _read(clock_file: Path) -> datetime:
    return datetime.fromisoformat(clock_file.read_text().strip())


def _follow(clock_file: Path, traveller: time_machine.Traveller, shown: str) -> None:
    while True:
        threading.Event().wait(0.1)
        text = clock_file.read_text().strip()
        if text and text != shown:
            traveller.move_to(datetime.fromisoformat(text))
            shown = text


def main(argv: list[str]) -> None:
    clock_file, *command = argv
    path = Path(clock_file)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiop.settings")
    with time_machine.travel(_read(path), tick=False) as traveller:
        threading.Thread(
            target=_follow, args=(path, traveller, path.read_text().strip()), daemon=True
        ).start()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["openiop", *command])


if __name__ == "__main__":
    main(sys.argv[1:])
