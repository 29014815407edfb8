"""Builders for diary and safety tests: cards through the real write function."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from openiop.diary.models import DiaryCard
from openiop.diary.services import CardAnswers, Filed, diary_card_submit
from openiop.lib.timezones import today_in


def answers(**overrides: Any) -> CardAnswers:
    values: dict[str, Any] = {
        "urge_suicide": 0,
        "urge_self_harm": 0,
        "urge_substance": 1,
        "action_self_harm": False,
        "action_substance": False,
        "medication": "taken",
        "emotions": {"sadness": 2, "joy": 3},
        "skills": {"mindfulness": 5},
        "note": "",
    }
    values.update(overrides)
    return CardAnswers(**values)


def today(w: SimpleNamespace) -> date:
    return today_in(w.program.time_zone)


def file_card(
    w: SimpleNamespace, *, day: date | None = None, now: datetime | None = None, **overrides: Any
) -> Filed:
    return diary_card_submit(
        participant=w.participant,
        day=day or today_in(w.program.time_zone, now=now),
        answers=answers(**overrides),
        actor=w.participant_user,
        now=now,
    )


def post_data(day: date, **overrides: Any) -> dict[str, str]:
    data = {
        "day": day.isoformat(),
        "urge_suicide": "0",
        "urge_self_harm": "0",
        "urge_substance": "0",
        "action_self_harm": "no",
        "action_substance": "no",
        "medication": "taken",
        "emotion_sadness": "2",
        "skill_mindfulness": "4",
        "note": "",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def bulk_cards(w: SimpleNamespace, days: int, *, end: date | None = None) -> None:
    """A history of cards written directly (no rules): for query-count tests only."""
    end = end or today(w)
    w.episode.started_on = end - timedelta(days=days + 1)
    w.episode.save(update_fields=["started_on"])
    DiaryCard.objects.bulk_create(
        [
            DiaryCard(
                organization=w.org,
                participant=w.participant,
                episode=w.episode,
                day=end - timedelta(days=n),
                urge_suicide=n % 3,
                urge_self_harm=n % 2,
                urge_substance=n % 4,
                action_self_harm=False,
                action_substance=False,
                medication="taken",
                emotions={"sadness": n % 5},
                skills={"mindfulness": n % 7},
                submitted_at=timezone.now(),
                submitted_by=w.participant_user,
            )
            for n in range(days)
        ]
    )
