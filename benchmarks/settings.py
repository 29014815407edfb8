"""Settings of the benchmark server, and only of it: the production settings, plus

- the floor pages (benchmarks/urls.py): a bare page and a bare one-row POST, behind the same
  middleware as every product page, so a page's time can be read as a multiple of the floor;
- a query counter (benchmarks/middleware.py) that counts only when a request asks for it;
- the clinic's clock: with OPENIOP_BENCH_NOW set (ISO 8601), the process lives at that moment
  and time runs on from there, so a cached census shows the same "today" on any day it is
  measured.
"""

from __future__ import annotations

import os
from datetime import datetime

from openiop.settings import *  # noqa: F403
from openiop.settings import MIDDLEWARE

ROOT_URLCONF = "benchmarks.urls"
MIDDLEWARE = ["benchmarks.middleware.QueryCountMiddleware", *MIDDLEWARE]

_NOW = os.environ.get("OPENIOP_BENCH_NOW", "")
if _NOW:
    import time_machine

    time_machine.travel(datetime.fromisoformat(_NOW), tick=True).start()
