""" "My progress": what the participant's own records say, in plain words. Only their own
records, only of the program they are in now, and only what the program chose to show
(homework.models.CompanionSettings). No reliable-change arithmetic and no severity labels:
the participant reads which way their own numbers went, and talks it through with their team."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from openiop.diary.models import DiaryCard, DiaryTarget
from openiop.homework.library import companion_settings, program_library
from openiop.homework.models import Outcome, Practice
from openiop.homework.selectors import skill_name
from openiop.lib.timezones import local_date
from openiop.measures.definitions import get_instrument
from openiop.measures.models import Response, ResponseStatus
from openiop.participants.models import Episode
from openiop.scheduling.hours import participants_weeks, week_start_of

WEEKS = 4


@dataclass
class ScorePoint:
    on: date
    total: float


@dataclass
class CheckinTrend:
    title: str
    points: list[ScorePoint]
    low: float
    high: float
    words: str


@dataclass
class TargetTrend:
    name: str
    # Per week, oldest first: (week start, average urge or None, days acted on it).
    weeks: list[tuple[date, float | None, int]]
    words: str


@dataclass
class Progress:
    checkins: list[CheckinTrend] = field(default_factory=list)
    checkins_shown: bool = True
    targets: list[TargetTrend] = field(default_factory=list)
    diary_shown: bool = True
    cards_filed: int = 0
    practised: list[tuple[str, int]] = field(default_factory=list)
    practice_count: int = 0
    attended_hours: Decimal = Decimal(0)
    scheduled_hours: Decimal = Decimal(0)
    minimum_hours: Decimal = Decimal(0)


def _score_words(first: float, latest: float, count: int, higher_is_better: bool) -> str:
    if count == 1:
        return _("You have done this check-in once. Your next ones will show how things move.")
    if latest == first:
        return _("Your score is the same as at your first check-in.")
    better = (latest > first) == higher_is_better
    if better:
        return _("Since your first check-in your answers point to feeling better.")
    return _(
        "Since your first check-in your answers point to a harder time. "
        "That is worth talking about with your therapist."
    )


def _checkins(episode: Episode, hidden: set[str]) -> list[CheckinTrend]:
    responses = (
        Response.objects.filter(
            participant_id=episode.participant_id,
            episode=episode,
            status=ResponseStatus.FINAL,
            total__isnull=False,
        )
        .exclude(instrument_code__in=hidden)
        .order_by("completed_at", "id")
    )
    by_code: dict[str, list[Response]] = {}
    for response in responses:
        by_code.setdefault(response.instrument_code, []).append(response)
    trends = []
    tz = episode.program.time_zone
    for code, rows in by_code.items():
        instrument = get_instrument(code)
        if instrument.triage is not None:
            continue  # risk screens are for the team, never a trend on the portal
        totals = [float(r.total) for r in rows if r.total is not None]
        low, high = instrument.score_range or (0.0, max(totals))
        trends.append(
            CheckinTrend(
                title=instrument.title,
                points=[
                    ScorePoint(local_date(r.completed_at, tz), float(r.total))
                    for r in rows
                    if r.total is not None
                ],
                low=float(low),
                high=float(high),
                words=_score_words(totals[0], totals[-1], len(totals), instrument.higher_is_better),
            )
        )
    return trends


def _target_words(weeks: list[tuple[date, float | None, int]]) -> str:
    rated = [urge for _, urge, _ in weeks if urge is not None]
    if len(rated) < 2:
        return _("Keep filling in your card: trends show after two weeks.")
    if rated[-1] < rated[0]:
        return _("Your urges have been lower lately than a few weeks ago.")
    if rated[-1] > rated[0]:
        return _("Your urges have been stronger lately. Bring this to your next session.")
    return _("Your urges have been about the same.")


def _targets(episode: Episode, first_week: date, today: date) -> tuple[list[TargetTrend], int]:
    cards = list(
        DiaryCard.objects.filter(
            participant_id=episode.participant_id,
            episode=episode,
            day__gte=first_week,
            day__lte=today,
        ).order_by("day")
    )
    # The program's targets and the participant's own, those their cards rated.
    rated = {key for card in cards for key in card.targets}
    targets = [
        target
        for target in DiaryTarget.objects.filter(program=episode.program)
        .filter(Q(participant__isnull=True) | Q(participant_id=episode.participant_id))
        .order_by("name")
        if str(target.public_id) in rated
    ]
    starts = [first_week + timedelta(weeks=n) for n in range(WEEKS)]
    trends = []
    for target in targets:
        key = str(target.public_id)
        weeks = []
        for start in starts:
            rows = [
                c.targets.get(key) or {}
                for c in cards
                if start <= c.day < start + timedelta(days=7)
            ]
            urges = [r["urge"] for r in rows if isinstance(r.get("urge"), int)]
            acted = sum(1 for r in rows if r.get("action") is True)
            weeks.append((start, round(sum(urges) / len(urges), 1) if urges else None, acted))
        trends.append(TargetTrend(target.name, weeks, _target_words(weeks)))
    return trends, len(cards)


def my_progress(episode: Episode, today: date, language: str) -> Progress:
    settings = companion_settings(episode.program)
    first_week = week_start_of(today) - timedelta(weeks=WEEKS - 1)
    progress = Progress(
        checkins_shown=settings.progress_shows_scores,
        diary_shown=settings.progress_shows_diary,
    )
    if settings.progress_shows_scores:
        progress.checkins = _checkins(episode, {str(c) for c in settings.progress_hidden_measures})
    if settings.progress_shows_diary:
        progress.targets, progress.cards_filed = _targets(episode, first_week, today)
    practices = Practice.objects.filter(
        participant_id=episode.participant_id,
        episode=episode,
        practised_on__gte=first_week,
    ).exclude(outcome=Outcome.NOT_YET)
    library = program_library(episode.program)
    counts = Counter(p.skill_id for p in practices)
    progress.practised = [
        (skill_name(library, skill_id, language), n) for skill_id, n in counts.most_common()
    ]
    progress.practice_count = sum(counts.values())
    this_week = week_start_of(today)
    week = participants_weeks(
        program=episode.program,
        participant_ids=[episode.participant_id],
        week_starts=[this_week],
    )[(episode.participant_id, this_week)]
    progress.attended_hours = week.attended_hours
    progress.scheduled_hours = week.scheduled_hours
    progress.minimum_hours = week.minimum
    return progress
