from __future__ import annotations

import random
from datetime import date

from openiop.programs.models import Program


def build(*, program: Program, today: date, rng: random.Random) -> int:
    """Synthetic records for the demo clinic; returns how many were made."""
    return 0
