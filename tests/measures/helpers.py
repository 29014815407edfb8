"""Small builders for measures tests: responses through the real write function."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from django.utils import timezone

from openiop.measures.models import Administration, Phase, Response, ResponseMode
from openiop.measures.services import response_record

PHQ9_MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # 6, mild, item 9 = 0
PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # 1, minimal, but item 9 is critical


def phq9(total: int) -> list[int]:
    """Answers summing to `total` with item 9 at 0 (so no critical flag)."""
    answers = [0] * 9
    left = total
    for i in range(8):
        answers[i] = min(3, left)
        left -= answers[i]
    assert left == 0, "PHQ-9 without item 9 tops out at 24"
    return answers


def record(
    w: SimpleNamespace,
    code: str,
    answers: list[int | None],
    *,
    at: datetime | None = None,
    administration: Administration | None = None,
    mode: str = ResponseMode.IN_SESSION,
) -> Response:
    return response_record(
        participant=w.participant,
        episode=w.episode,
        instrument_code=code,
        answers=answers,
        entered_by=w.clinician if mode == ResponseMode.IN_SESSION else w.participant_user,
        mode=mode,
        completed_at=at,
        administration=administration,
    )


def due(
    w: SimpleNamespace, code: str = "PHQ-9", *, participant=None, episode=None
) -> Administration:
    participant = participant or w.participant
    episode = episode or w.episode
    return Administration.objects.create(
        organization=participant.organization,
        participant=participant,
        episode=episode,
        instrument_code=code,
        phase=Phase.WEEKLY,
        period_start=timezone.localdate(),
        due_at=timezone.now() - timedelta(hours=1),
    )
