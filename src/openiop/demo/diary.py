"""Synthetic diary histories, default rules, an on-call rota and a few alerts for the demo.

Old cards are written directly (they fire nothing: history, not news). Cards that fire a rule
go through diary_card_submit with the time they were filed, so every demo alert is a real one
raised by the engine, and the resolved ones are handled through the same write functions.
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.diary.models import DiaryCard, Medication
from openiop.diary.services import CardAnswers, diary_card_submit, emotions_for
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program, SkillsModule
from openiop.safety.models import OnCallShift, Resolution
from openiop.safety.services import alert_acknowledge, alert_resolve, rules_for

HISTORY_DAYS = 35
ROTA_WEEKS = 6


def _answers(rng: random.Random, emotions: list[str], **overrides: object) -> CardAnswers:
    values: dict[str, object] = {
        "urge_suicide": rng.choices([0, 1, 2], weights=[8, 3, 1])[0],
        "urge_self_harm": rng.choices([0, 1, 2, 3], weights=[6, 3, 2, 1])[0],
        "urge_substance": rng.choices([0, 1, 2, 3], weights=[5, 3, 2, 1])[0],
        "action_self_harm": False,
        "action_substance": False,
        "medication": rng.choices(
            [Medication.TAKEN, Medication.PARTLY, Medication.NOT_TAKEN], weights=[10, 2, 1]
        )[0],
        "emotions": {e: rng.randint(0, 4) for e in emotions},
        "skills": {m.value: rng.randint(2, 7) for m in SkillsModule if rng.random() < 0.6},
        "note": "",
    }
    values.update(overrides)
    return CardAnswers(**values)  # type: ignore[arg-type]


def _evening(program: Program, day: date, hour: int = 20) -> datetime:
    return datetime.combine(day, time(hour, 15), tzinfo=zoneinfo.ZoneInfo(program.time_zone))


def build_diary(
    *, program: Program, today: date, rng: random.Random, now: datetime | None = None
) -> int:
    """Returns how many cards were written. Nothing is dated after `now` (the real clock by
    default): a demo built early in the morning has no alert from later that day."""
    now = now or timezone.now()
    rules_for(program)
    emotions = emotions_for(program)
    director = User.objects.filter(role=Role.DIRECTOR, assignments__program=program).first()
    clinicians = list(
        User.objects.filter(role=Role.CLINICIAN, assignments__program=program).order_by("pk")
    )
    if director is None or not clinicians:
        return 0
    monday = today - timedelta(days=today.weekday())
    for week in range(ROTA_WEEKS):
        start = monday + timedelta(weeks=week - 1)
        on_call = clinicians[week % len(clinicians)]
        backup = clinicians[(week + 1) % len(clinicians)]
        OnCallShift.objects.create(
            organization_id=program.organization_id,
            program=program,
            user=on_call,
            backup=backup if backup != on_call else None,
            starts_on=start,
            ends_on=start + timedelta(days=6),
            start_hour=0,
            end_hour=24,
            created_by=director,
        )
    episodes = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .select_related("participant", "participant__user", "primary_clinician", "program")
        .order_by("pk")
    )
    written = 0
    handled: list[tuple[Episode, date]] = []
    rows = []
    for index, episode in enumerate(episodes):
        actor = episode.participant.user or episode.primary_clinician or director
        first = max(episode.started_on or today, today - timedelta(days=HISTORY_DAYS))
        # A few high days that the team has already handled go through the engine below.
        high_day = today - timedelta(days=4) if index in (1, 3) else None
        if high_day is not None and high_day >= first:
            handled.append((episode, high_day))
        # Everything else is low-urge history written in one insert (no rule would fire on
        # it), with about one day in eight missed and a few filled in the next day.
        day = first
        while day < today:
            if day != high_day and rng.random() > 0.12:
                a = _answers(rng, emotions)
                late = rng.random() < 0.08
                rows.append(
                    DiaryCard(
                        organization_id=program.organization_id,
                        participant=episode.participant,
                        episode=episode,
                        day=day,
                        urge_suicide=a.urge_suicide,
                        urge_self_harm=a.urge_self_harm,
                        urge_substance=a.urge_substance,
                        action_self_harm=False,
                        action_substance=False,
                        medication=a.medication,
                        emotions=a.emotions,
                        skills=a.skills,
                        submitted_at=min(
                            _evening(program, day + timedelta(days=1 if late else 0)), now
                        ),
                        submitted_by=actor,
                        filled_late=late,
                    )
                )
            day += timedelta(days=1)
    DiaryCard.objects.bulk_create(rows)
    written += len(rows)
    for episode, day in handled:
        actor = episode.participant.user or episode.primary_clinician or director
        filed = diary_card_submit(
            participant=episode.participant,
            day=day,
            answers=_answers(rng, emotions, urge_self_harm=4, note="Hard evening, used TIPP."),
            actor=actor,
            now=_evening(program, day),
        )
        written += 1
        handler = episode.primary_clinician or director
        for alert in filed.alerts:
            alert_acknowledge(alert=alert, actor=handler, now=_evening(program, day, 21))
            alert_resolve(
                alert=alert,
                actor=handler,
                resolution=Resolution.CONTACTED,
                note="Called; coping plan reviewed, no immediate risk.",
                now=_evening(program, day, 22),
            )
    # One participant with a high self-harm urge this morning: an open alert for the demo.
    if episodes:
        episode = episodes[0]
        actor = episode.participant.user or episode.primary_clinician or director
        if not DiaryCard.objects.filter(participant=episode.participant, day=today).exists():
            diary_card_submit(
                participant=episode.participant,
                day=today,
                answers=_answers(rng, emotions, urge_self_harm=5, urge_suicide=2),
                actor=actor,
                # This morning, or now if the demo is built before 8:15: never in the future.
                now=min(_evening(program, today, 8), now),
            )
            written += 1
    return written
