"""What the programs room asks of the rooms above it (see lib/hooks.py)."""

from __future__ import annotations

from openiop.lib.hooks import Hook
from openiop.programs.models import Program, Track

# Before a program or a track is switched off: how many open episodes it still holds (the
# participants room answers). A program or track in use is not deactivated.
open_episodes_count: Hook[[Program | None, Track | None], int] = Hook(
    "programs.open_episodes_count"
)
