"""Write functions for measures: batteries, making check-ins due, responses and their
corrections. Scoring itself is the engine's (scoring.py); these functions store what it says."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.audit.services import event_record
from openiop.lib.timezones import today_in
from openiop.measures import hooks
from openiop.measures.definitions import Instrument, get_instrument, load_instruments
from openiop.measures.models import (
    PHASE_CADENCE_WEEKS,
    Administration,
    AdministrationStatus,
    Battery,
    CriticalFinding,
    DraftResponse,
    FindingKind,
    Phase,
    Response,
    ResponseMode,
    ResponseStatus,
)
from openiop.measures.scoring import ScoringError, score
from openiop.participants.models import Episode, EpisodeStatus, Participant

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.programs.models import Program

INTAKE_BATTERY = ("PHQ-9", "GAD-7", "C-SSRS", "AUDIT-C", "DAST-10", "PCL-5")

# What a program gives until its director configures batteries (issue 4, point 4).
DEFAULT_BATTERIES: dict[str, tuple[str, ...]] = {
    Phase.INTAKE: INTAKE_BATTERY,
    Phase.WEEKLY: ("PHQ-9", "GAD-7"),
    Phase.DISCHARGE: INTAKE_BATTERY,
}

# A check-in still open this many days after it became due is marked missed. Weekly check-ins
# then close just as the next one opens.
MISSED_AFTER = timedelta(days=7)

# The timeline's event kind for measures (a plain string: audit.EventKind lists the kinds of
# the foundation; the timeline shows only the summary).
EVENT_RESPONSE = "measure_response"


def _error(message: str) -> ValidationError:
    return ValidationError(message)


# --- batteries --------------------------------------------------------------------------------


def instrument_codes() -> list[str]:
    return sorted(load_instruments())


def batteries_for(program: Program) -> dict[str, tuple[str, ...]]:
    """The program's batteries by phase: the configured ones, or the defaults when the program
    has configured none."""
    configured = {b.phase: tuple(b.instruments) for b in program.batteries.all()}
    return configured if configured else dict(DEFAULT_BATTERIES)


@transaction.atomic
def battery_set(
    *, program: Program, phase: str, instruments: Sequence[str], actor: User | None
) -> Battery:
    """Configure one phase's battery. Saving any battery takes the program off the defaults,
    so the other phases are written out too (as the defaults) the first time."""
    if phase not in Phase.values:
        raise _error(f"{phase!r} is not a phase.")
    known = load_instruments()
    unknown = [code for code in instruments if code not in known]
    if unknown:
        raise _error(f"Unknown instrument: {', '.join(unknown)}.")
    if len(set(instruments)) != len(instruments):
        raise _error("Each instrument may appear only once in a battery.")
    if not program.batteries.exists():
        for default_phase, codes in DEFAULT_BATTERIES.items():
            Battery.objects.create(
                organization_id=program.organization_id,
                program=program,
                phase=default_phase,
                instruments=list(codes),
                updated_by=actor,
            )
    battery, _ = Battery.objects.update_or_create(
        program=program,
        phase=phase,
        defaults={
            "organization_id": program.organization_id,
            "instruments": list(instruments),
            "updated_by": actor,
        },
    )
    return battery


# --- making check-ins due ---------------------------------------------------------------------


@dataclass(frozen=True)
class DueSummary:
    created: int
    missed: int

    def __str__(self) -> str:
        return f"{self.created} check-ins due, {self.missed} marked missed"


def _local_midnight(day: date, tz_name: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zoneinfo.ZoneInfo(tz_name))


def _periods_due(episode: Episode, phases: dict[str, tuple[str, ...]], today: date) -> list[Any]:
    """(phase, period_start) pairs that should exist for the episode today, in the program's
    calendar. Only the current period: nothing is back-filled, so a program that starts using
    measures mid-episode does not get a pile of already-missed check-ins."""
    periods: list[tuple[str, date]] = []
    if episode.status in (EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE):
        start = episode.started_on or episode.admitted_on
        if start is not None and start <= today < start + MISSED_AFTER:
            periods.append((Phase.INTAKE, start))
    if episode.status == EpisodeStatus.ACTIVE and episode.started_on is not None:
        week = episode.week_number(today)
        for phase, every in PHASE_CADENCE_WEEKS.items():
            # Week 1 is covered by the intake battery.
            if week is not None and week >= 2 and (week - 1) % every == 0:
                periods.append((phase, episode.started_on + timedelta(weeks=week - 1)))
    if (
        episode.status == EpisodeStatus.DISCHARGED
        and episode.discharged_on is not None
        and episode.discharged_on <= today < episode.discharged_on + MISSED_AFTER
    ):
        periods.append((Phase.DISCHARGE, episode.discharged_on))
    return [(phase, start) for phase, start in periods if phases.get(phase)]


@transaction.atomic
def administrations_make_due(*, now: datetime) -> DueSummary:
    """Create the check-ins that are due and close the ones left open too long. Idempotent:
    the (episode, instrument, phase, period) key is unique, and existing keys are skipped."""
    missed = Administration.objects.filter(
        status=AdministrationStatus.DUE, due_at__lt=now - MISSED_AFTER
    ).update(status=AdministrationStatus.MISSED, closed_at=now)
    episodes = (
        Episode.objects.filter(
            status__in=[EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE, EpisodeStatus.DISCHARGED]
        )
        .exclude(status=EpisodeStatus.DISCHARGED, discharged_on__lt=(now - 2 * MISSED_AFTER))
        .select_related("program")
        .prefetch_related("program__batteries")
    )
    wanted: list[Administration] = []
    for episode in episodes:
        program = episode.program
        tz = program.time_zone
        today = today_in(tz, now=now)
        phases = batteries_for(program)
        configured = {b.phase: b for b in program.batteries.all()}
        for phase, start in _periods_due(episode, phases, today):
            due_at = _local_midnight(start, tz)
            if due_at < now - MISSED_AFTER:
                continue
            for code in phases[phase]:
                wanted.append(
                    Administration(
                        organization_id=episode.organization_id,
                        participant_id=episode.participant_id,
                        episode=episode,
                        instrument_code=code,
                        phase=phase,
                        battery=configured.get(phase),
                        period_start=start,
                        due_at=due_at,
                    )
                )
    existing = set(
        Administration.objects.filter(episode__in={a.episode_id for a in wanted}).values_list(
            "episode_id", "instrument_code", "phase", "period_start"
        )
    )
    new = [
        a
        for a in wanted
        if (a.episode_id, a.instrument_code, a.phase, a.period_start) not in existing
    ]
    # ignore_conflicts: two workers racing on the same slot cannot both insert a key.
    Administration.objects.bulk_create(new, ignore_conflicts=True)
    return DueSummary(created=len(new), missed=missed)


@transaction.atomic
def intake_battery_make_due(*, episode: Episode, now: datetime) -> list[Administration]:
    """Admission makes the intake battery due at once instead of waiting for the worker. The
    rows have the worker's key (intake phase, period from the first day), so the worker never
    adds a second set."""
    start = episode.started_on or episode.admitted_on
    if start is None or episode.status not in (EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE):
        return []
    due_at = min(now, _local_midnight(start, episode.program.time_zone))
    return battery_make_due(episode=episode, phase=Phase.INTAKE, period_start=start, due_at=due_at)


def battery_make_due(
    *, episode: Episode, phase: str, period_start: date, due_at: datetime
) -> list[Administration]:
    """Make the program's `phase` battery due for `episode` at `due_at`: one administration
    per questionnaire not yet made for the period starting `period_start`. The rows have the
    worker's key (episode, questionnaire, phase, period), so the worker never adds a second
    set. Returns the rows made."""
    program = episode.program
    codes = batteries_for(program).get(phase, ())
    if not codes:
        return []
    battery = Battery.objects.filter(program=program, phase=phase).first()
    existing = set(
        Administration.objects.filter(
            episode=episode, phase=phase, period_start=period_start
        ).values_list("instrument_code", flat=True)
    )
    rows = [
        Administration(
            organization_id=episode.organization_id,
            participant_id=episode.participant_id,
            episode=episode,
            instrument_code=code,
            phase=phase,
            battery=battery,
            period_start=period_start,
            due_at=due_at,
        )
        for code in codes
        if code not in existing
    ]
    Administration.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


@transaction.atomic
def administration_cancel(*, administration: Administration, now: datetime) -> None:
    if administration.status != AdministrationStatus.DUE:
        raise _error("Only a check-in that is still due can be cancelled.")
    Administration.objects.filter(pk=administration.pk).update(
        status=AdministrationStatus.CANCELLED, closed_at=now
    )


# --- drafts (portal progress) -----------------------------------------------------------------


@transaction.atomic
def draft_answer(*, administration: Administration, index: int, value: int | None) -> DraftResponse:
    """Save one answer of a check-in in progress."""
    instrument = get_instrument(administration.instrument_code)
    if not 0 <= index < len(instrument.items):
        raise _error("There is no such question.")
    if value is not None and value not in option_values(instrument, index):
        raise _error("Please choose one of the answers.")
    draft, _ = DraftResponse.objects.select_for_update().get_or_create(
        administration=administration,
        defaults={
            "organization_id": administration.organization_id,
            "participant_id": administration.participant_id,
        },
    )
    answers = dict(draft.answers)
    answers[str(index)] = value
    draft.answers = answers
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def option_values(instrument: Instrument, index: int) -> list[int]:
    return [value for value, _label in item_options(instrument, index)]


def item_options(instrument: Instrument, index: int) -> list[tuple[int, str]]:
    return [(o.value, o.label) for o in instrument.items[index].options]


# --- responses --------------------------------------------------------------------------------


def _findings_for(instrument: Instrument, flags: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, detail) for each critical finding in a scored result."""
    findings: list[tuple[str, str]] = []
    critical_items = list(flags.get("critical_items") or [])
    if critical_items:
        kind = FindingKind.PHQ9_ITEM9 if instrument.code == "PHQ-9" else FindingKind.CRITICAL_ITEM
        findings.append((kind, f"Critical item(s): {', '.join(map(str, critical_items))}"))
    tier = flags.get("risk_tier") or ""
    if tier == "high":
        findings.append((FindingKind.CSSRS_HIGH, "Screener triage: high risk"))
    elif tier == "moderate":
        findings.append((FindingKind.CSSRS_MODERATE, "Screener triage: moderate risk"))
    return findings


def _after_response_insert(response: Response) -> None:
    """A seam for tests that need a failure between the response insert and the findings."""


@transaction.atomic
def response_record(
    *,
    participant: Participant,
    episode: Episode,
    instrument_code: str,
    answers: Sequence[int | None],
    entered_by: User,
    mode: str,
    administration: Administration | None = None,
    completed_at: datetime | None = None,
    corrects: Response | None = None,
    sex: str | None = None,
    version: str | None = None,
) -> Response:
    """Score and store a completed instrument, its critical findings (same transaction) and,
    when it answers a due check-in, close that check-in."""
    if mode not in ResponseMode.values:
        raise _error("Unknown entry mode.")
    if episode.participant_id != participant.pk:
        raise _error("The episode belongs to someone else.")
    try:
        instrument = get_instrument(instrument_code, version)
    except LookupError as error:
        raise _error(str(error)) from None
    if mode == ResponseMode.PORTAL and not instrument.text_shipped:
        raise _error("This instrument is entered by the clinician only.")
    if administration is not None:
        administration = Administration.objects.select_for_update().get(pk=administration.pk)
        if administration.participant_id != participant.pk:
            raise _error("This check-in belongs to someone else.")
        if administration.instrument_code != instrument.code:
            raise _error("This check-in is for another instrument.")
        if administration.status != AdministrationStatus.DUE:
            raise _error("This check-in is no longer open.")
    try:
        result = score(instrument, list(answers), sex=sex)
    except ScoringError as error:
        raise _error(str(error)) from None
    data = result.as_dict()
    flags = dict(data.get("flags") or {})
    findings = _findings_for(instrument, flags)
    now = timezone.now()
    when = completed_at or now
    response = Response.objects.create(
        organization_id=participant.organization_id,
        participant=participant,
        episode=episode,
        administration=administration,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        answers=list(answers),
        result=data,
        total=data.get("total"),
        severity=data.get("severity") or "",
        flags=flags,
        critical=bool(findings),
        critical_items=list(flags.get("critical_items") or []),
        risk_tier=flags.get("risk_tier") or "",
        entered_by=entered_by,
        mode=mode,
        corrects=corrects,
        completed_at=when,
    )
    _after_response_insert(response)
    CriticalFinding.objects.bulk_create(
        [
            CriticalFinding(
                organization_id=participant.organization_id,
                participant=participant,
                response=response,
                kind=kind,
                detail=detail,
                created_at=now,
            )
            for kind, detail in findings
        ]
    )
    # Same transaction: a critical answer is never saved without its alert (safety/apps.py).
    hooks.response_recorded.fire(response, now)
    if administration is not None:
        Administration.objects.filter(pk=administration.pk).update(
            status=AdministrationStatus.COMPLETED, closed_at=now
        )
        DraftResponse.objects.filter(administration=administration).delete()
    # The timeline is shown to everyone who may see the participant (billing too), so its
    # summary names no instrument, score or flag: those are clinical content.
    event_record(
        participant=participant,
        kind=EVENT_RESPONSE,
        summary="Questionnaire corrected" if corrects else "Questionnaire completed",
        actor=entered_by,
        program=episode.program,
        at=when,
    )
    return response


@transaction.atomic
def response_mark_entered_in_error(
    *, response: Response, reason: str, actor: User, now: datetime | None = None
) -> Response:
    """The one change a response allows: it was entered in error (wrong person, wrong
    answers). It stays in the record, out of the scores and the chart."""
    reason = (reason or "").strip()
    if not reason:
        raise _error("Say why this response was entered in error.")
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.status != ResponseStatus.FINAL:
        raise _error("This response is already marked entered in error.")
    locked.status = ResponseStatus.ENTERED_IN_ERROR
    locked.error_reason = reason[:300]
    locked.error_marked_at = now or timezone.now()
    locked.error_marked_by = actor
    locked._error_transition = True
    try:
        locked.save(update_fields=list(Response.ERROR_FIELDS))
    finally:
        locked._error_transition = False
    event_record(
        participant=locked.participant,
        kind=EVENT_RESPONSE,
        summary="Questionnaire response marked entered in error",
        actor=actor,
        program=locked.episode.program,
    )
    return locked


@transaction.atomic
def response_correct(
    *,
    response: Response,
    answers: Sequence[int | None],
    reason: str,
    actor: User,
) -> Response:
    """Replace a response: the original becomes entered-in-error and a new response with the
    corrected answers names it. Both or neither."""
    original = response_mark_entered_in_error(response=response, reason=reason, actor=actor)
    return response_record(
        participant=original.participant,
        episode=original.episode,
        instrument_code=original.instrument_code,
        answers=answers,
        entered_by=actor,
        mode=ResponseMode.IN_SESSION,
        completed_at=original.completed_at,
        corrects=original,
        version=original.instrument_version,
    )
