"""What the participants room announces to the rooms above it (see lib/hooks.py)."""

from __future__ import annotations

from openiop.accounts.models import User
from openiop.lib.hooks import Hook, Panels
from openiop.participants.models import Episode

# An episode's status or track changed (admitted, on hold, back, discharged, moved to another
# track), inside the write's transaction, with the person who changed it. Scheduling re-places
# the participant on the track's future groups or takes them off.
episode_changed: Hook[[Episode, User | None], object] = Hook("participants.episode_changed")

# The admission page of an episode (intake): rooms above add what admission should know. The
# billing room warns when the participant's payer requires prior authorization and none is on
# file, or when no coverage is recorded.
admission_page: Panels[[Episode]] = Panels("participants.admission_page")
