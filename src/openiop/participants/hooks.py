"""What the participants room announces to the rooms above it (see lib/hooks.py)."""

from __future__ import annotations

from openiop.accounts.models import User
from openiop.lib.hooks import Hook
from openiop.participants.models import Episode

# An episode's status or track changed (admitted, on hold, back, discharged, moved to another
# track), inside the write's transaction, with the person who changed it. Scheduling re-places
# the participant on the track's future groups or takes them off.
episode_changed: Hook[[Episode, User | None], object] = Hook("participants.episode_changed")
