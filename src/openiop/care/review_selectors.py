"""The figures a plan review pulls from the record: scores (latest against the episode's
baseline, with the reliable-change class), attendance and weekly hours over the review period,
and diary-card trends. The review page shows them before the clinician submits, and the review
stores them as they were, so a later correction of the record does not rewrite history.

Everything here reads one episode (the plan's) and runs a fixed number of queries however long
the history: one each for responses, roster with attendance, weekly hours and diary cards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from openiop.care.models import Direction, MeasureKind, PlanObjective
from openiop.diary.models import DiaryCard, DiaryTarget
from openiop.lib.timezones import local_date
from openiop.measures.definitions import UnknownInstrument, get_instrument
from openiop.measures.models import Response, ResponseStatus
from openiop.measures.progress import outcome, rule_from_definition
from openiop.safety.selectors import risk_events
from openiop.scheduling.hours import (
    local_midnight,
    participants_weeks,
    week_start_of,
)
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    AttendanceStatus,
    RosterEntry,
    SessionStatus,
)

if TYPE_CHECKING:
    from openiop.care.models import TreatmentPlan
    from openiop.participants.models import Episode

# The longest stretch of weekly hours a review lists (a plan is valid at most a year; a review
# looks at the weeks since the version took effect, and the last quarter is what matters).
MAX_WEEKS = 13


@dataclass(frozen=True)
class DiaryMeasure:
    key: str
    label: str
    kind: str  # "urge" (weekly mean 0-5), "action" (days a week), "skills" (weekly mean 0-7)

    @property
    def maximum(self) -> int:
        return {"urge": 5, "action": 7, "skills": 7}[self.kind]

    @property
    def unit(self) -> str:
        return {
            "urge": "weekly mean rating (0-5)",
            "action": "days a week",
            "skills": "weekly mean (0-7)",
        }[self.kind]


BUILTIN_DIARY_MEASURES: tuple[DiaryMeasure, ...] = (
    DiaryMeasure("urge_suicide", "Urge to end my life", "urge"),
    DiaryMeasure("urge_self_harm", "Urge to self-harm", "urge"),
    DiaryMeasure("urge_substance", "Urge to use", "urge"),
    DiaryMeasure("action_self_harm", "Self-harm", "action"),
    DiaryMeasure("action_substance", "Substance use", "action"),
    DiaryMeasure("skills", "Skills used", "skills"),
)


def diary_measures(episode: Episode) -> list[DiaryMeasure]:
    """The rows of this participant's diary card an objective can follow: the standard rows
    and the program's and participant's own targets (urge and/or action). One query."""
    measures = list(BUILTIN_DIARY_MEASURES)
    targets = DiaryTarget.objects.filter(
        Q(participant__isnull=True) | Q(participant_id=episode.participant_id),
        program_id=episode.program_id,
        is_active=True,
    ).order_by("name", "id")
    for target in targets:
        if target.rates_urge:
            measures.append(
                DiaryMeasure(f"target:{target.public_id}:urge", f"Urge: {target.name}", "urge")
            )
        if target.records_action:
            measures.append(
                DiaryMeasure(f"target:{target.public_id}:action", target.name, "action")
            )
    return measures


def diary_measure_for(key: str, measures: list[DiaryMeasure]) -> DiaryMeasure | None:
    return next((m for m in measures if m.key == key), None)


def _card_value(card: DiaryCard, measure: DiaryMeasure) -> float | None:
    key = measure.key
    if key.startswith("target:"):
        _, target_id, part = key.split(":")
        entry = card.targets.get(target_id) or {}
        value = entry.get(part)
        if value is None:
            return None
        return float(bool(value)) if part == "action" else float(value)
    if key == "skills":
        values = [v for v in card.skills.values() if isinstance(v, int | float)]
        return sum(values) / len(values) if values else None
    value = getattr(card, key)
    return float(bool(value)) if measure.kind == "action" else float(value)


def meets(value: float | None, direction: str, threshold: Decimal | float | None) -> bool | None:
    if value is None or threshold is None or not direction:
        return None
    limit = float(threshold)
    return value <= limit if direction == Direction.AT_MOST else value >= limit


def _trend(values: list[float], direction: str) -> str:
    """Better, worse or steady: the mean of the later half against the earlier half."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return "not enough data"
    half = len(known) // 2
    early = sum(known[:half]) / half
    late = sum(known[half:]) / (len(known) - half)
    if abs(late - early) < 0.25:
        return "steady"
    lower_is_better = direction != Direction.AT_LEAST
    return "better" if (late < early) == lower_is_better else "worse"


def risk_since(episode: Episode, on: date) -> date:
    """Risk events are counted since the day after the episode's last review before `on`, or
    since the episode began when it has had none."""
    from openiop.care.models import PlanReview

    last = (
        PlanReview.objects.filter(plan__episode=episode, reviewed_on__lt=on)
        .order_by("-reviewed_on", "-id")
        .values_list("reviewed_on", flat=True)
        .first()
    )
    if last is not None:
        return last + timedelta(days=1)
    began = episode.started_on or episode.admitted_on or episode.inquiry_on
    return min(began, on) if began else on


def review_period(plan: TreatmentPlan, on: date) -> tuple[date, date]:
    """From the day this version took effect to the review day."""
    start = plan.effective_on or plan.created_at.date()
    return min(start, on), on


def _week_starts(start: date, end: date) -> list[date]:
    first, last = week_start_of(start), week_start_of(end)
    weeks: list[date] = []
    while last >= first and len(weeks) < MAX_WEEKS:
        weeks.append(last)
        last -= timedelta(weeks=1)
    return list(reversed(weeks))


def _scores(episode: Episode, end: date) -> dict[str, dict[str, Any]]:
    tz = episode.program.time_zone
    end_at = local_midnight(end + timedelta(days=1), tz)
    rows = list(
        Response.objects.filter(
            episode=episode,
            status=ResponseStatus.FINAL,
            total__isnull=False,
            completed_at__lt=end_at,
        )
        .only("instrument_code", "total", "severity", "completed_at")
        .order_by("completed_at", "id")
    )
    by_code: dict[str, list[Response]] = defaultdict(list)
    for row in rows:
        by_code[row.instrument_code].append(row)
    scores: dict[str, dict[str, Any]] = {}
    for code, responses in sorted(by_code.items()):
        baseline, latest = responses[0], responses[-1]
        assert baseline.total is not None
        assert latest.total is not None
        result = None
        try:
            instrument = get_instrument(code)
        except UnknownInstrument:
            instrument = None
        if instrument is not None and len(responses) > 1:
            result = outcome(baseline.total, latest.total, rule_from_definition(instrument))
        scores[code] = {
            "instrument": code,
            "count": len(responses),
            "baseline": _score_point(baseline, tz),
            "latest": _score_point(latest, tz),
            "change": round(latest.total - baseline.total, 2),
            "outcome": str(result) if result else "",
            "outcome_label": result.label if result else "",
        }
    return scores


def _score_point(response: Response, tz: str) -> dict[str, Any]:
    return {
        "total": response.total,
        "severity": response.severity,
        "on": local_date(response.completed_at, tz).isoformat(),
    }


def _attendance(episode: Episode, start: date, end: date) -> dict[str, Any]:
    tz = episode.program.time_zone
    record = Attendance.objects.filter(
        session_id=OuterRef("session_id"), participant_id=OuterRef("participant_id")
    )
    statuses = list(
        RosterEntry.objects.filter(
            episode=episode,
            session__starts_at__gte=local_midnight(start, tz),
            session__starts_at__lt=min(local_midnight(end + timedelta(days=1), tz), timezone.now()),
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .annotate(att_status=Subquery(record.values("status")[:1]))
        .values_list("att_status", flat=True)
    )
    scheduled = [s for s in statuses if s != AttendanceStatus.CANCELLED]
    attended = sum(1 for s in scheduled if s in ATTENDED_STATUSES)
    not_recorded = sum(1 for s in scheduled if s is None)
    return {
        "scheduled": len(scheduled),
        "attended": attended,
        "not_recorded": not_recorded,
        "percent": round(100 * attended / len(scheduled)) if scheduled else None,
    }


def _hours(episode: Episode, start: date, end: date) -> dict[str, Any]:
    weeks = _week_starts(start, end)
    first_day = episode.started_on or episode.admitted_on
    found = participants_weeks(
        program=episode.program,
        participant_ids=[episode.participant_id],
        week_starts=weeks,
        first_days={episode.participant_id: first_day} if first_day else None,
    )
    rows = [found[(episode.participant_id, ws)] for ws in weeks]
    mean = (
        (sum((w.attended_hours for w in rows), Decimal("0")) / len(rows)).quantize(Decimal("0.1"))
        if rows
        else None
    )
    return {
        "weeks": [
            {
                "week": w.week_start.isoformat(),
                "attended": str(w.attended_hours),
                "scheduled": str(w.scheduled_hours),
                "compliance": w.compliance,
            }
            for w in rows
        ],
        "mean_weekly": str(mean) if mean is not None else None,
        "minimum": str(episode.program.weekly_hours_min),
    }


def _diary(
    cards: list[DiaryCard], measure: DiaryMeasure, weeks: list[date], direction: str
) -> dict[str, Any]:
    by_week: dict[date, list[float]] = {w: [] for w in weeks}
    for card in cards:
        ws = week_start_of(card.day)
        if ws in by_week:
            value = _card_value(card, measure)
            if value is not None:
                by_week[ws].append(value)
    weekly: list[float | None] = []
    for w in weeks:
        values = by_week[w]
        if not values:
            weekly.append(None)
        elif measure.kind == "action":
            weekly.append(float(sum(values)))
        else:
            weekly.append(round(sum(values) / len(values), 2))
    known = [v for v in weekly if v is not None]
    return {
        "key": measure.key,
        "label": measure.label,
        "unit": measure.unit,
        "weeks": [
            {"week": w.isoformat(), "value": v, "cards": len(by_week[w])}
            for w, v in zip(weeks, weekly, strict=True)
        ],
        "latest": known[-1] if known else None,
        "trend": _trend([v for v in weekly if v is not None], direction or Direction.AT_MOST),
    }


def review_figures(
    plan: TreatmentPlan, objectives: list[PlanObjective], *, on: date
) -> dict[str, Any]:
    """The figures for reviewing `plan` on `on`: `overall` (period, attendance, hours, diary
    cards filed, every scored instrument) and `objectives` keyed by objective public id."""
    episode = plan.episode
    start, end = review_period(plan, on)
    weeks = _week_starts(start, end)
    scores = _scores(episode, end)
    attendance = _attendance(episode, start, end)
    hours = _hours(episode, start, end)
    cards = list(
        DiaryCard.objects.filter(episode=episode, day__gte=weeks[0], day__lte=end).order_by("day")
    )
    in_period = [c for c in cards if c.day >= start]
    overall = {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": (end - start).days},
        "attendance": attendance,
        "hours": hours,
        "diary": {"cards": len(in_period), "days": (end - start).days + 1},
        "scores": scores,
        "risk": risk_events(episode, since=risk_since(episode, end), until=end),
    }
    measures: list[DiaryMeasure] | None = None
    per_objective: dict[str, dict[str, Any]] = {}
    for objective in objectives:
        pulled: dict[str, Any] = {"kind": objective.measure_kind}
        if objective.measure_kind == MeasureKind.SCORE:
            score = _score_for(scores, objective.instrument_code)
            pulled.update(score or {"instrument": objective.instrument_code, "count": 0})
            latest = score["latest"]["total"] if score else None
            pulled["target_met"] = meets(latest, objective.direction, objective.threshold)
        elif objective.measure_kind == MeasureKind.ATTENDANCE:
            pulled.update(attendance)
            pulled["mean_weekly_hours"] = hours["mean_weekly"]
            pulled["target_met"] = meets(
                attendance["percent"],
                objective.direction or Direction.AT_LEAST,
                objective.threshold,
            )
        elif objective.measure_kind == MeasureKind.DIARY:
            if measures is None:
                measures = diary_measures(episode)
            measure = diary_measure_for(objective.diary_key, measures)
            if measure is not None:
                diary = _diary(cards, measure, weeks, objective.direction)
                pulled.update(diary)
                pulled["target_met"] = meets(
                    diary["latest"], objective.direction, objective.threshold
                )
            else:
                pulled["missing"] = "This diary row is no longer on the card."
        per_objective[str(objective.public_id)] = pulled
    return {"overall": overall, "objectives": per_objective}


def _score_for(scores: dict[str, dict[str, Any]], code: str) -> dict[str, Any] | None:
    wanted = code.strip().lower()
    return next((v for k, v in scores.items() if k.lower() == wanted), None)
