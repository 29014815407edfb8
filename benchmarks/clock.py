"""The census's moment, and the fingerprint of the code that seeds it. Free of Django, so the
benchmark's driver can read them without setting Django up."""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import datetime
from pathlib import Path

# A Wednesday morning in the program's time zone. The benchmark server runs at this moment
# (benchmarks/settings.py), so a cached census shows the same "today" on any day it is measured.
TIME_ZONE = "America/Chicago"
BENCH_NOW = datetime(2026, 3, 11, 10, 30, tzinfo=zoneinfo.ZoneInfo(TIME_ZONE))


def fingerprint() -> str:
    """Changes whenever the seed code changes: a cached census built by other code is rebuilt."""
    digest = hashlib.sha256()
    for name in ("seed.py", "clock.py"):
        digest.update((Path(__file__).with_name(name)).read_bytes())
    return digest.hexdigest()[:16]
