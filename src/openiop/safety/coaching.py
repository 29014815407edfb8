"""Between-session coaching (issue 5 point 6): write functions, selectors and the response-time
report.

A request goes to whoever is on coaching duty when it arrives: the program's on-call clinician
for that date and hour, else the participant's primary clinician. A high urge runs through the
rule engine (`alerts_from_coaching`) in the same transaction as the request, so a request is
never saved without its alert. The timeline says only "Coaching contact": the situation, urge
and reply are clinical content and stay on the request.
"""

from __future__ import annotations

import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openiop.audit.services import event_record
from openiop.safety.models import (
    CoachingOutcome,
    CoachingRequest,
    CoachingSettings,
    CoachingStatus,
    ReachBy,
)
from openiop.safety.services import alerts_from_coaching, on_call_for

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.participants.models import Episode, Participant
    from openiop.programs.models import Program

EVENT_COACHING = "coaching"
TIMELINE_SUMMARY = "Coaching contact"

# The DBT named skills by module (clinical.md §2), as the participant picks them.
SKILL_MODULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "mindfulness",
        "Mindfulness",
        (
            "Wise mind",
            "Observe",
            "Describe",
            "Participate",
            "Non-judgmentally",
            "One-mindfully",
            "Effectively",
        ),
    ),
    (
        "distress_tolerance",
        "Distress tolerance",
        (
            "STOP",
            "TIPP",
            "Pros and cons",
            "ACCEPTS",
            "Self-soothe",
            "IMPROVE",
            "Radical acceptance",
            "Turning the mind",
            "Willingness",
        ),
    ),
    (
        "emotion_regulation",
        "Emotion regulation",
        ("Check the facts", "Opposite action", "Problem solving", "ABC", "PLEASE"),
    ),
    ("interpersonal", "Interpersonal effectiveness", ("DEAR MAN", "GIVE", "FAST")),
)
ALL_SKILLS: frozenset[str] = frozenset(s for _, _, skills in SKILL_MODULES for s in skills)
MAX_PAUSE_HOURS = 168


def _error(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)


def _clean_skills(skills: Iterable[str], field: str) -> list[str]:
    chosen = list(dict.fromkeys(skills))
    unknown = [s for s in chosen if s not in ALL_SKILLS]
    if unknown:
        raise _error("Choose skills from the list.", field)
    return chosen


# --- settings and the pause after self-harm ----------------------------------------------------


def coaching_settings_for(program: Program) -> CoachingSettings:
    found = CoachingSettings.objects.filter(program=program).first()
    if found is not None:
        return found
    return CoachingSettings(organization_id=program.organization_id, program=program)


@transaction.atomic
def coaching_settings_update(
    *, program: Program, actor: User, pause_hours_after_self_harm: int
) -> CoachingSettings:
    if not 0 <= pause_hours_after_self_harm <= MAX_PAUSE_HOURS:
        raise _error(
            f"Enter a number of hours from 0 to {MAX_PAUSE_HOURS}.",
            "pause_hours_after_self_harm",
        )
    found, _ = CoachingSettings.objects.select_for_update().get_or_create(
        program=program, defaults={"organization_id": program.organization_id}
    )
    found.pause_hours_after_self_harm = pause_hours_after_self_harm
    found.updated_by = actor
    found.full_clean()
    found.save()
    return found


def coaching_paused_until(episode: Episode, now: datetime | None = None) -> datetime | None:
    """When coaching resumes, if the program pauses it after self-harm and the participant's
    latest self-harm card is recent enough; None when coaching is available. The self-harm
    happened on the card's day, reported at `submitted_at`: the earlier of the report and the
    end of that day is the latest it can have happened, so a card filed late does not pause
    coaching days after the event."""
    from openiop.diary.models import DiaryCard

    now = now or timezone.now()
    hours = coaching_settings_for(episode.program).pause_hours_after_self_harm
    if not hours:
        return None
    card = (
        DiaryCard.objects.filter(participant_id=episode.participant_id, action_self_harm=True)
        .order_by("-day", "-submitted_at")
        .only("day", "submitted_at")
        .first()
    )
    if card is None:
        return None
    zone = zoneinfo.ZoneInfo(episode.program.time_zone)
    end_of_day = datetime.combine(card.day + timedelta(days=1), time.min, tzinfo=zone)
    until = min(card.submitted_at, end_of_day) + timedelta(hours=hours)
    return until if until > now else None


# --- routing and the request --------------------------------------------------------------------


def coaching_duty(episode: Episode, at: datetime) -> User | None:
    """Who answers coaching for this episode now: the on-call clinician, else the primary."""
    shift = on_call_for(episode.program, at)
    if shift is not None and shift.user.is_active:
        return shift.user
    return episode.primary_clinician


@dataclass(frozen=True)
class Requested:
    request: CoachingRequest
    alerts: list[Any]


@transaction.atomic
def coaching_request_create(
    *,
    participant: Participant,
    episode: Episode,
    actor: User,
    situation: str,
    urge: int,
    skills_tried: Sequence[str],
    reach_by: str,
    callback_phone: str = "",
    now: datetime | None = None,
) -> Requested:
    now = now or timezone.now()
    situation = (situation or "").strip()
    callback_phone = (callback_phone or "").strip()
    if episode.participant_id != participant.pk:
        raise _error("This episode is not the participant's.")
    if not situation:
        raise _error("Say in a few words what is happening.", "situation")
    if len(situation) > 500:
        raise _error("Keep it to 500 characters; you can say more on the call.", "situation")
    if not isinstance(urge, int) or not 0 <= urge <= 5:
        raise _error("Choose an urge level from 0 to 5.", "urge")
    if reach_by not in ReachBy.values:
        raise _error("Choose how we should reach you.", "reach_by")
    if reach_by == ReachBy.CALLBACK and not callback_phone:
        raise _error("Enter the number we should call.", "callback_phone")
    skills = _clean_skills(skills_tried, "skills_tried")
    paused = coaching_paused_until(episode, now)
    if paused is not None:
        raise _error("Coaching is paused for now; please use the crisis line or call the program.")
    request = CoachingRequest(
        organization_id=participant.organization_id,
        participant=participant,
        episode=episode,
        program=episode.program,
        requested_at=now,
        situation=situation,
        urge=urge,
        skills_tried=skills,
        reach_by=reach_by,
        callback_phone=callback_phone if reach_by == ReachBy.CALLBACK else "",
        routed_to=coaching_duty(episode, now),
    )
    request.full_clean()
    request.save(force_insert=True)
    alerts = alerts_from_coaching(
        participant=participant,
        episode=episode,
        urge=urge,
        source_id=request.public_id,
        now=now,
    )
    event_record(
        participant=participant,
        kind=EVENT_COACHING,
        summary=f"{TIMELINE_SUMMARY}: requested",
        actor=actor,
        program=episode.program,
        at=now,
    )
    return Requested(request=request, alerts=alerts)


@transaction.atomic
def coaching_request_claim(
    *, request: CoachingRequest, actor: User, now: datetime | None = None
) -> CoachingRequest:
    """Take an open request. The conditional UPDATE lets one of two clinicians pressing at
    once succeed; the other is told who has it."""
    now = now or timezone.now()
    claimed = CoachingRequest.objects.filter(pk=request.pk, status=CoachingStatus.OPEN).update(
        status=CoachingStatus.CLAIMED, claimed_at=now, claimed_by=actor
    )
    if not claimed:
        current = CoachingRequest.objects.select_related("claimed_by").get(pk=request.pk)
        who = current.claimed_by.full_name if current.claimed_by else "someone"
        raise _error(f"{who} is already answering this request.")
    request.refresh_from_db()
    return request


@transaction.atomic
def coaching_request_respond(
    *,
    request: CoachingRequest,
    actor: User,
    method: str,
    reply: str,
    skills_suggested: Sequence[str],
    outcome: str,
    outcome_note: str,
    now: datetime | None = None,
) -> CoachingRequest:
    """Record the answer and close the request. Open requests are claimed on the way, so a
    clinician can answer in one step; a request someone else claimed is refused."""
    now = now or timezone.now()
    reply = (reply or "").strip()
    outcome_note = (outcome_note or "").strip()
    if method not in ReachBy.values:
        raise _error("Choose how you answered.", "method")
    if method == ReachBy.MESSAGE and not reply:
        raise _error("Write the message the participant will read.", "reply")
    if outcome not in CoachingOutcome.values:
        raise _error("Choose the outcome.", "outcome")
    if outcome == CoachingOutcome.OTHER and not outcome_note:
        raise _error("Describe the outcome in the note.", "outcome_note")
    if outcome == CoachingOutcome.NO_ANSWER and method != ReachBy.CALLBACK:
        raise _error("'No answer' applies to a callback.", "outcome")
    skills = _clean_skills(skills_suggested, "skills_suggested")
    done = (
        CoachingRequest.objects.filter(pk=request.pk)
        .filter(Q(status=CoachingStatus.OPEN) | Q(status=CoachingStatus.CLAIMED, claimed_by=actor))
        .update(
            status=CoachingStatus.CLOSED,
            claimed_at=now if request.claimed_at is None else request.claimed_at,
            claimed_by=actor,
            responded_at=now,
            responder=actor,
            response_method=method,
            reply=reply[:2000],
            skills_suggested=skills,
            outcome=outcome,
            outcome_note=outcome_note[:2000],
            closed_at=now,
        )
    )
    if not done:
        current = CoachingRequest.objects.select_related("claimed_by").get(pk=request.pk)
        if current.status == CoachingStatus.CLOSED:
            raise _error("This request has already been answered.")
        who = current.claimed_by.full_name if current.claimed_by else "someone"
        raise _error(f"{who} is answering this request.")
    request.refresh_from_db()
    event_record(
        participant=request.participant,
        kind=EVENT_COACHING,
        summary=f"{TIMELINE_SUMMARY}: answered",
        actor=actor,
        program=request.program,
        at=now,
    )
    return request


# --- the response-time report ----------------------------------------------------------------


@dataclass(frozen=True)
class WeekTimes:
    program: str
    week_start: date
    answered: int
    median_minutes: float | None
    p90_minutes: float | None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the value at or below which `fraction` of the values lie)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def response_times(
    rows: Iterable[tuple[str, datetime, datetime | None]],
    *,
    today: date,
    weeks: int = 8,
    zone: zoneinfo.ZoneInfo | None = None,
) -> list[WeekTimes]:
    """Minutes from request to first response, by program and week (weeks start on Monday),
    for the `weeks` weeks ending with this one. Pure: rows are (program name, requested_at,
    responded_at); unanswered requests are not counted in the times."""
    zone = zone or zoneinfo.ZoneInfo("UTC")
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    buckets: dict[tuple[str, date], list[float]] = defaultdict(list)
    programs: set[str] = set()
    for program, requested, responded in rows:
        programs.add(program)
        day = requested.astimezone(zone).date()
        monday = day - timedelta(days=day.weekday())
        if monday < first or monday > this_monday or responded is None:
            continue
        buckets[(program, monday)].append((responded - requested).total_seconds() / 60)
    report = []
    for program in sorted(programs):
        for i in range(weeks):
            monday = first + timedelta(weeks=i)
            minutes = buckets.get((program, monday), [])
            report.append(
                WeekTimes(
                    program=program,
                    week_start=monday,
                    answered=len(minutes),
                    median_minutes=median(minutes),
                    p90_minutes=percentile(minutes, 0.9),
                )
            )
    return report
