"""What the diary room announces to the rooms above it, and the places on its pages where
they add what they hold (see lib/hooks.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from openiop.diary.models import DiaryCard
from openiop.lib.hooks import Hook, Panels
from openiop.lib.http import AuthedRequest
from openiop.participants.models import Episode, Participant

if TYPE_CHECKING:
    from openiop.diary.selectors import AgendaItem
    from openiop.safety.models import Alert

# A card was filed, inside its transaction, at `now`. Safety runs its risk rules over it and
# returns the alerts it raised: a card that fires a rule is never saved without its alert.
card_filed: Hook[[DiaryCard, datetime], list[Alert]] = Hook("diary.card_filed")

# The weekly review's agenda, for the participant's episodes and the week's first and last
# day: safety adds the week's alerts.
week_agenda: Hook[[Participant, list[int], date, date], list[AgendaItem]] = Hook(
    "diary.week_agenda"
)

# The weekly review page (participant, episode, first day of the week): notes adds the notes
# to start from it and the agenda items a note addressed.
review_page: Panels[[AuthedRequest, Participant, Episode | None, date]] = Panels(
    "diary.review_page"
)

# The participant's calm page after a card that reached the team: safety says whether the
# team was told and which safety plan to show.
support_page: Panels[[Participant, DiaryCard]] = Panels("diary.support_page")
