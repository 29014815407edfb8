"""Write functions for transitions, discharge, discharge summaries and alumni follow-ups.

Each is one action: keyword-only, atomic, validating (a ValidationError names the field and
says what to do) and writing a neutral timeline event. Status changes go through
participants.services.episode_transition, which also takes a discharged or held participant
off their future sessions (scheduling.rosters); this module adds the reasons, the change log,
the discharge battery, the summary and the follow-ups.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.audit.services import event_record
from openiop.care.selectors import relapse_plan_current
from openiop.care.services import relapse_plan_discharge_review
from openiop.discharge.drafting import planned_end, prefilled_sections, record_facts
from openiop.discharge.models import (
    FOLLOWUP_DAYS,
    NARRATIVE_FIELDS,
    OPEN_FOLLOWUP_STATUSES,
    STEP_DOWN_DESTINATIONS,
    STEP_UP_DESTINATIONS,
    SUMMARY_FIELDS,
    AlumniConsent,
    ChangeKind,
    ConsentHow,
    Destination,
    DischargeSummary,
    EpisodeChange,
    FollowUp,
    FollowUpStatus,
    SummaryAddendum,
    SummaryStatus,
)
from openiop.lib.timezones import today_in
from openiop.measures.models import Administration, AdministrationStatus, Phase
from openiop.measures.services import MISSED_AFTER, batteries_for, battery_make_due
from openiop.participants.models import (
    IN_TREATMENT_STATUSES,
    Consent,
    ConsentKind,
    DischargeKind,
    Episode,
    EpisodeStatus,
    Participant,
)
from openiop.participants.services import CLINICAL_ROLES, episode_transition
from openiop.programs.models import Program

EVENT_DISCHARGE = "discharge"
# A program that configured no follow-up battery asks these: short, free, and comparable
# with the intake and discharge scores.
FALLBACK_FOLLOWUP = ("PHQ-9", "GAD-7")
# A follow-up stays open this long after it falls due (the measures worker closes its
# questionnaires after the same time).
FOLLOWUP_WINDOW = MISSED_AFTER
MAX_REASON = 2000
MAX_SECTION = {"course_of_treatment": 8000}
DEFAULT_MAX_SECTION = 4000

# Which kinds fit an episode that was admitted, and which one that never was.
TREATMENT_KINDS = (
    DischargeKind.COMPLETED,
    DischargeKind.STEPPED_UP,
    DischargeKind.STEPPED_DOWN,
    DischargeKind.AGAINST_ADVICE,
    DischargeKind.ADMINISTRATIVE,
)
PRE_ADMISSION_KINDS = (DischargeKind.NOT_ADMITTED, DischargeKind.ADMINISTRATIVE)


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _clean_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Give the reason."})
    if len(reason) > MAX_REASON:
        raise ValidationError({field: f"Keep the reason to {MAX_REASON} characters."})
    return reason


def _check_assigned(actor: User, program: Program) -> None:
    if (
        program.organization_id != actor.organization_id
        or not actor.assignments.filter(program=program).exists()
    ):
        raise ValidationError("You can only work with episodes in programs you are assigned to.")


def _check_signer(actor: User, program: Program) -> None:
    _check_assigned(actor, program)
    if actor.role not in CLINICAL_ROLES:
        raise ValidationError("Only a clinician or the program director can sign this.")


def _local_midnight(day: date, program: Program) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zoneinfo.ZoneInfo(program.time_zone))


def _change(
    *,
    episode: Episode,
    kind: str,
    on: date,
    reason: str,
    actor: User,
    destination: str = "",
    provider: str = "",
    from_end: date | None = None,
    to_end: date | None = None,
) -> EpisodeChange:
    change = EpisodeChange(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        kind=kind,
        on=on,
        reason=reason,
        destination=destination,
        destination_provider=provider,
        from_planned_end=from_end,
        to_planned_end=to_end,
        actor=actor,
        created_at=timezone.now(),
    )
    change.full_clean()
    change.save()
    return change


def _event(episode: Episode, summary: str, actor: User | None) -> None:
    event_record(
        participant=episode.participant,
        kind=EVENT_DISCHARGE,
        summary=summary,
        actor=actor,
        program=episode.program,
    )


# --- holds and extensions ------------------------------------------------------------------


@transaction.atomic
def episode_hold(*, actor: User, episode: Episode, on: date, reason: str) -> EpisodeChange:
    """Pause an active episode (hospital stay, illness, travel): the participant comes off
    future group sessions from `on` until resumed."""
    reason = _clean_reason(reason)
    episode_transition(actor=actor, episode=episode, to_status=EpisodeStatus.ON_HOLD, on=on)
    return _change(episode=episode, kind=ChangeKind.HOLD, on=on, reason=reason, actor=actor)


@transaction.atomic
def episode_resume(*, actor: User, episode: Episode, on: date, reason: str) -> EpisodeChange:
    """Back from a hold: the participant is placed on their track's future sessions again."""
    reason = _clean_reason(reason)
    episode_transition(actor=actor, episode=episode, to_status=EpisodeStatus.ACTIVE, on=on)
    return _change(episode=episode, kind=ChangeKind.RESUME, on=on, reason=reason, actor=actor)


@transaction.atomic
def episode_extend(*, actor: User, episode: Episode, new_end: date, reason: str) -> EpisodeChange:
    """Move the planned end of an episode in treatment later, with the reason (payers ask)."""
    reason = _clean_reason(reason)
    locked = (
        Episode.objects.select_for_update()
        .select_related("program", "participant")
        .get(pk=episode.pk)
    )
    program = locked.program
    _check_assigned(actor, program)
    if locked.status not in IN_TREATMENT_STATUSES:
        raise ValidationError("Only an episode in treatment can be extended.")
    current = planned_end(locked)
    today = today_in(program.time_zone)
    if current is not None and new_end <= current:
        raise ValidationError(
            {"new_end": f"Choose a date after the current planned end ({_day(current)})."}
        )
    if new_end < today:
        raise ValidationError({"new_end": "The new planned end cannot be in the past."})
    if locked.admitted_on is not None and new_end < locked.admitted_on:
        raise ValidationError({"new_end": "The planned end cannot be before admission."})
    if new_end > today + timedelta(weeks=52):
        raise ValidationError({"new_end": "Extend by at most a year at a time."})
    locked.planned_end_on = new_end
    locked.save(update_fields=["planned_end_on", "updated_at"])
    episode.planned_end_on = new_end
    change = _change(
        episode=locked,
        kind=ChangeKind.EXTENSION,
        on=today,
        reason=reason,
        actor=actor,
        from_end=current,
        to_end=new_end,
    )
    _event(locked, f"{program.name}: planned end moved to {_day(new_end)}", actor)
    return change


# --- discharge -----------------------------------------------------------------------------


def discharge_battery_make_due(*, episode: Episode, now: datetime) -> int:
    """The program's discharge questionnaires, due at once (the worker would make the same
    ones on its next run; the unique key keeps it to one set)."""
    assert episode.discharged_on is not None
    rows = battery_make_due(
        episode=episode, phase=Phase.DISCHARGE, period_start=episode.discharged_on, due_at=now
    )
    return len(rows)


def signed_followup_consent(episode: Episode, *, on: date) -> Consent | None:
    """The participant's signed consent to follow-up contact from this program (participants
    app), if one is active on `on`: it stands for agreement to alumni check-ins."""
    consents = Consent.objects.filter(
        participant_id=episode.participant_id, kind=ConsentKind.FOLLOWUP
    ).filter(Q(program_id=episode.program_id) | Q(episode_id=episode.pk))
    return next((c for c in consents.select_related("episode") if c.is_active_on(on)), None)


def _clean_destination(destination: str, allowed: tuple[str, ...], *, what: str) -> str:
    if destination not in allowed:
        raise ValidationError({"destination": f"Choose where the participant {what}."})
    return destination


def _relapse_plan_before_discharge(
    *, actor: User, episode: Episode, kind: str, reviewed: bool
) -> None:
    """The relapse prevention plan is gone through with the participant before a planned
    discharge (issue #6): a completed discharge is refused until it has been, and ticking the
    box on the discharge form records it. Unplanned endings (stepped up, left against advice)
    cannot wait for it."""
    plan = relapse_plan_current(episode)
    if plan is None or plan.discharge_reviewed_at is not None:
        return
    if reviewed:
        relapse_plan_discharge_review(actor=actor, plan=plan)
    elif kind == DischargeKind.COMPLETED:
        raise ValidationError(
            {
                "relapse_plan_reviewed": "Go through the relapse prevention plan with the "
                "participant before a planned discharge, then tick this box."
            }
        )


@transaction.atomic
def episode_discharge(
    *,
    actor: User,
    episode: Episode,
    on: date,
    kind: str,
    reason: str,
    destination: str = "",
    provider: str = "",
    appointments: str = "",
    medication_followup: str = "",
    followup_consent: bool | None = None,
    consent_how: str = ConsentHow.IN_PERSON,
    relapse_plan_reviewed: bool = False,
) -> DischargeSummary | None:
    """Discharge the episode: record why (kind and reason), release the participant's future
    sessions, make the discharge questionnaires due, schedule alumni check-ins when the
    participant agreed, and draft the discharge summary (returned; None for an episode that
    was never admitted, which has nothing to summarize)."""
    reason = _clean_reason(reason)
    provider = (provider or "").strip()[:200]
    if destination and destination not in Destination.values:
        raise ValidationError({"destination": "Choose where the participant goes next."})
    if kind == DischargeKind.STEPPED_UP:
        _clean_destination(destination, STEP_UP_DESTINATIONS, what="steps up to")
    if kind == DischargeKind.STEPPED_DOWN:
        _clean_destination(destination, STEP_DOWN_DESTINATIONS, what="steps down to")
        if not provider:
            raise ValidationError({"provider": "Name the provider the participant steps down to."})
    admitted = episode.admitted_on is not None
    allowed = TREATMENT_KINDS if admitted else PRE_ADMISSION_KINDS
    if kind not in allowed:
        labels = ", ".join(str(DischargeKind(k).label).lower() for k in allowed)
        raise ValidationError({"kind": f"Choose why the episode ended ({labels})."})
    if followup_consent is not None and consent_how not in ConsentHow.values:
        raise ValidationError({"consent_how": "Say how the participant agreed."})
    _relapse_plan_before_discharge(
        actor=actor, episode=episode, kind=kind, reviewed=relapse_plan_reviewed
    )
    episode_transition(
        actor=actor,
        episode=episode,
        to_status=EpisodeStatus.DISCHARGED,
        on=on,
        discharge_reason=reason,
        discharge_kind=kind,
    )
    change_kind = {
        DischargeKind.STEPPED_UP: ChangeKind.STEP_UP,
        DischargeKind.STEPPED_DOWN: ChangeKind.STEP_DOWN,
    }.get(DischargeKind(kind), ChangeKind.DISCHARGE)
    _change(
        episode=episode,
        kind=change_kind,
        on=on,
        reason=reason,
        actor=actor,
        destination=destination,
        provider=provider,
    )
    if not admitted:
        return None
    now = timezone.now()
    discharge_battery_make_due(episode=episode, now=now)
    if followup_consent is None and signed_followup_consent(episode, on=on) is not None:
        followup_consent, consent_how = True, ConsentHow.WRITTEN
    if followup_consent is not None:
        _consent_save(
            episode=episode, agreed=followup_consent, how=consent_how, actor=actor, now=now
        )
    aftercare = {
        "destination": str(Destination(destination).label) if destination else "",
        "provider": provider,
        "appointments": (appointments or "").strip()[:DEFAULT_MAX_SECTION],
        "medication_followup": (medication_followup or "").strip()[:DEFAULT_MAX_SECTION],
    }
    return _summary_create(actor=actor, episode=episode, aftercare=aftercare, now=now)


@transaction.atomic
def episode_step_up(
    *,
    actor: User,
    episode: Episode,
    on: date,
    destination: str,
    reason: str,
    provider: str = "",
    followup_consent: bool | None = None,
    consent_how: str = ConsentHow.IN_PERSON,
) -> DischargeSummary | None:
    """The participant needs more care than IOP (PHP, residential, inpatient, withdrawal
    management): a discharge of kind 'stepped up'."""
    return episode_discharge(
        actor=actor,
        episode=episode,
        on=on,
        kind=DischargeKind.STEPPED_UP,
        reason=reason,
        destination=destination,
        provider=provider,
        followup_consent=followup_consent,
        consent_how=consent_how,
    )


@transaction.atomic
def episode_step_down(
    *,
    actor: User,
    episode: Episode,
    on: date,
    destination: str,
    provider: str,
    reason: str,
    appointments: str = "",
    medication_followup: str = "",
    followup_consent: bool | None = None,
    consent_how: str = ConsentHow.IN_PERSON,
) -> DischargeSummary | None:
    """The participant moves to less intensive care (weekly outpatient with a named
    provider): a discharge of kind 'stepped down'."""
    return episode_discharge(
        actor=actor,
        episode=episode,
        on=on,
        kind=DischargeKind.STEPPED_DOWN,
        reason=reason,
        destination=destination,
        provider=provider,
        appointments=appointments,
        medication_followup=medication_followup,
        followup_consent=followup_consent,
        consent_how=consent_how,
    )


# --- the summary ---------------------------------------------------------------------------


def _summary_create(
    *, actor: User, episode: Episode, aftercare: Mapping[str, str], now: datetime
) -> DischargeSummary:
    facts = record_facts(episode, aftercare=dict(aftercare))
    summary = DischargeSummary(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        facts=facts,
        drafted_at=now,
        drafted_by=actor,
        updated_at=now,
        updated_by=actor,
        **prefilled_sections(facts),
    )
    summary.save()
    _event(episode, "Discharge summary drafted", actor)
    return summary


@transaction.atomic
def summary_draft(*, actor: User, episode: Episode) -> DischargeSummary:
    """Draft the summary of an episode discharged without one (e.g. through the plain status
    change)."""
    locked = (
        Episode.objects.select_for_update()
        .select_related("program", "participant")
        .get(pk=episode.pk)
    )
    _check_assigned(actor, locked.program)
    if locked.status != EpisodeStatus.DISCHARGED or locked.admitted_on is None:
        raise ValidationError("Only a discharged episode that was admitted has a summary.")
    if DischargeSummary.objects.filter(episode=locked).exists():
        raise ValidationError("This episode already has a discharge summary.")
    change = (
        EpisodeChange.objects.filter(
            episode=locked,
            kind__in=[ChangeKind.STEP_UP, ChangeKind.STEP_DOWN, ChangeKind.DISCHARGE],
        )
        .order_by("-created_at")
        .first()
    )
    aftercare = {}
    if change is not None and change.destination:
        aftercare = {
            "destination": change.get_destination_display(),
            "provider": change.destination_provider,
        }
    return _summary_create(actor=actor, episode=locked, aftercare=aftercare, now=timezone.now())


def _locked_draft(summary: DischargeSummary) -> DischargeSummary:
    row = (
        DischargeSummary.objects.select_for_update()
        .select_related("episode__program", "episode__participant", "participant")
        .get(pk=summary.pk)
    )
    if row.status != SummaryStatus.DRAFT:
        raise ValidationError("This summary is signed; add an addendum instead.")
    return row


def _copy(source: DischargeSummary, target: DischargeSummary) -> None:
    if source is target:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


@transaction.atomic
def summary_refresh(*, actor: User, summary: DischargeSummary) -> DischargeSummary:
    """Redraw the record sections of a draft from the record as it is now (scores answered
    since discharge, a plan reviewed late). The clinician's own sections are kept."""
    row = _locked_draft(summary)
    _check_assigned(actor, row.episode.program)
    facts = record_facts(row.episode, aftercare=row.facts.get("aftercare") or {})
    for name, text in prefilled_sections(facts).items():
        if name not in NARRATIVE_FIELDS:
            setattr(row, name, text)
    now = timezone.now()
    row.facts = facts
    row.refreshed_at = now
    row.updated_at = now
    row.updated_by = actor
    row.save()
    _copy(row, summary)
    return summary


@transaction.atomic
def summary_save(
    *, actor: User, summary: DischargeSummary, sections: Mapping[str, str]
) -> DischargeSummary:
    """Save the clinician's edits to a draft."""
    unknown = set(sections) - set(SUMMARY_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown sections: {', '.join(sorted(unknown))}.")
    row = _locked_draft(summary)
    _check_assigned(actor, row.episode.program)
    errors: dict[str, str] = {}
    for name, value in sections.items():
        text = "\n".join(line.rstrip() for line in (value or "").strip().splitlines())
        limit = MAX_SECTION.get(name, DEFAULT_MAX_SECTION)
        if len(text) > limit:
            errors[name] = f"Keep this section to {limit} characters."
        setattr(row, name, text)
    if errors:
        raise ValidationError(errors)
    row.updated_at = timezone.now()
    row.updated_by = actor
    row.save()
    _copy(row, summary)
    return summary


@transaction.atomic
def summary_sign(*, actor: User, summary: DischargeSummary) -> DischargeSummary:
    """The clinician signs: the summary locks, its content hash is stored."""
    row = _locked_draft(summary)
    _check_signer(actor, row.episode.program)
    missing = row.missing_required()
    if missing:
        raise ValidationError(
            f"Before signing, fill in: {', '.join(missing)}.", code="missing_sections"
        )
    now = timezone.now()
    row.status = SummaryStatus.SIGNED
    row.signed_at = now
    row.signed_by = actor
    row.updated_at = now
    row.updated_by = actor
    row.content_hash = row.compute_hash()
    row.save()
    _event(row.episode, "Discharge summary signed", actor)
    _copy(row, summary)
    return summary


@transaction.atomic
def summary_addendum_add(*, actor: User, summary: DischargeSummary, text: str) -> SummaryAddendum:
    row = DischargeSummary.objects.select_related("episode__program", "episode__participant").get(
        pk=summary.pk
    )
    _check_signer(actor, row.episode.program)
    if row.status != SummaryStatus.SIGNED:
        raise ValidationError("Edit the draft instead: addenda are for signed summaries.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the addendum."})
    if len(text) > DEFAULT_MAX_SECTION:
        raise ValidationError({"text": f"Keep the addendum to {DEFAULT_MAX_SECTION} characters."})
    addendum = SummaryAddendum(
        organization_id=row.organization_id,
        summary=row,
        text=text,
        author=actor,
        created_at=timezone.now(),
    )
    addendum.save()
    _event(row.episode, "Addendum to the discharge summary", actor)
    return addendum


# --- alumni consent and follow-ups ---------------------------------------------------------


def followup_codes(program: Program) -> tuple[str, ...]:
    return tuple(batteries_for(program).get(Phase.FOLLOWUP) or ()) or FALLBACK_FOLLOWUP


def _followups_schedule(episode: Episode, *, today: date) -> list[FollowUp]:
    """The 30/90/180-day check-ins still ahead (or within their window) of a discharge."""
    assert episode.discharged_on is not None
    existing = set(FollowUp.objects.filter(episode=episode).values_list("day_offset", flat=True))
    rows = []
    for offset in FOLLOWUP_DAYS:
        due_on = episode.discharged_on + timedelta(days=offset)
        if offset in existing or due_on + FOLLOWUP_WINDOW <= today:
            continue
        rows.append(
            FollowUp(
                organization_id=episode.organization_id,
                participant_id=episode.participant_id,
                episode=episode,
                day_offset=offset,
                due_on=due_on,
            )
        )
    FollowUp.objects.bulk_create(rows)
    return rows


def _consent_save(
    *, episode: Episode, agreed: bool, how: str, actor: User, now: datetime
) -> AlumniConsent:
    program = episode.program
    today = today_in(program.time_zone)
    consent, _ = AlumniConsent.objects.update_or_create(
        episode=episode,
        defaults={
            "organization_id": episode.organization_id,
            "participant_id": episode.participant_id,
            "agreed": agreed,
            "how": how,
            "recorded_on": today,
            "recorded_by": actor,
            "withdrawn_at": None,
        },
    )
    if agreed:
        _followups_schedule(episode, today=today)
        _event(episode, "Agreed to alumni check-ins", actor)
    else:
        _followups_close(episode_ids=[episode.pk], now=now)
        _event(episode, "Declined alumni check-ins", actor)
    return consent


@transaction.atomic
def alumni_consent_record(
    *, actor: User, episode: Episode, agreed: bool, how: str
) -> AlumniConsent:
    """Record (or change) whether the participant agreed to alumni check-ins after this
    discharged episode. Agreeing schedules the check-ins still ahead."""
    locked = (
        Episode.objects.select_for_update()
        .select_related("program", "participant")
        .get(pk=episode.pk)
    )
    if actor.role != Role.PARTICIPANT:
        _check_assigned(actor, locked.program)
    if locked.status != EpisodeStatus.DISCHARGED or locked.admitted_on is None:
        raise ValidationError("Alumni check-ins follow a discharge from treatment.")
    if how not in ConsentHow.values:
        raise ValidationError({"how": "Say how the participant agreed."})
    return _consent_save(episode=locked, agreed=agreed, how=how, actor=actor, now=timezone.now())


def _followups_close(*, episode_ids: list[int], now: datetime) -> int:
    open_rows = list(
        FollowUp.objects.select_for_update().filter(
            episode_id__in=episode_ids, status__in=OPEN_FOLLOWUP_STATUSES
        )
    )
    for row in open_rows:
        Administration.objects.filter(
            episode_id=row.episode_id,
            phase=Phase.FOLLOWUP,
            period_start=row.due_on,
            status=AdministrationStatus.DUE,
        ).update(status=AdministrationStatus.CANCELLED, closed_at=now)
    return FollowUp.objects.filter(pk__in=[r.pk for r in open_rows]).update(
        status=FollowUpStatus.DECLINED, closed_at=now
    )


@transaction.atomic
def followups_decline(*, participant: Participant, actor: User) -> int:
    """The participant asks for no more alumni check-ins (from the portal): every open one is
    declined, its questionnaires cancelled, and the consent marked withdrawn."""
    now = timezone.now()
    consents = list(
        AlumniConsent.objects.select_for_update()
        .select_related("episode__program", "participant")
        .filter(participant=participant, agreed=True, withdrawn_at__isnull=True)
    )
    if not consents:
        raise ValidationError("There are no check-ins to stop.")
    AlumniConsent.objects.filter(pk__in=[c.pk for c in consents]).update(withdrawn_at=now)
    closed = _followups_close(episode_ids=[c.episode_id for c in consents], now=now)
    for consent in consents:
        _event(consent.episode, "Declined further alumni check-ins", actor)
    return closed


@dataclass(frozen=True)
class FollowUpRun:
    made_due: int
    completed: int
    missed: int

    def __str__(self) -> str:
        return f"{self.made_due} follow-ups due, {self.completed} answered, {self.missed} missed"


def _withdrawn_in_writing(participant_ids: set[int], *, now: datetime) -> set[int]:
    """Participants who revoked their signed follow-up consent and have none active: their
    check-ins stop even if the alumni answer was recorded before."""
    revoked: set[int] = set()
    active: set[int] = set()
    for consent in Consent.objects.filter(
        participant_id__in=participant_ids, kind=ConsentKind.FOLLOWUP
    ).select_related("episode"):
        if consent.is_revoked:
            revoked.add(consent.participant_id)
        elif consent.is_active_on(now.date()):
            active.add(consent.participant_id)
    return revoked - active


def _skip_locked(queryset: Any) -> Any:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset.select_for_update()


@transaction.atomic
def followups_run(*, now: datetime) -> FollowUpRun:
    """The worker's pass: check-ins whose day has come get their questionnaires (the program's
    follow-up battery, or PHQ-9 and GAD-7); open ones close as answered when their
    questionnaires are done, or as missed when the window has passed. Idempotent, and a fixed
    number of queries however many follow-ups there are."""
    pending = list(
        _skip_locked(
            FollowUp.objects.filter(
                status=FollowUpStatus.PENDING, due_on__lte=(now + timedelta(days=1)).date()
            )
        )
    )
    episode_program = dict(
        Episode.objects.filter(pk__in={f.episode_id for f in pending}).values_list(
            "pk", "program_id"
        )
    )
    programs = {
        p.pk: p
        for p in Program.objects.filter(pk__in=set(episode_program.values())).prefetch_related(
            "batteries"
        )
    }
    existing = set(
        Administration.objects.filter(
            episode_id__in={f.episode_id for f in pending}, phase=Phase.FOLLOWUP
        ).values_list("episode_id", "instrument_code", "period_start")
    )
    withdrawn = _withdrawn_in_writing({f.participant_id for f in pending}, now=now)
    new_admins: list[Administration] = []
    first_for: dict[int, Administration] = {}
    changed: list[FollowUp] = []
    missed = 0
    for followup in pending:
        program = programs[episode_program[followup.episode_id]]
        today = today_in(program.time_zone, now=now)
        if followup.due_on > today:
            continue
        followup.made_due_at = now
        if followup.participant_id in withdrawn:
            followup.status = FollowUpStatus.DECLINED
            followup.closed_at = now
            changed.append(followup)
            continue
        if followup.due_on + FOLLOWUP_WINDOW <= today:
            followup.status = FollowUpStatus.MISSED
            followup.closed_at = now
            missed += 1
            changed.append(followup)
            continue
        battery = next(
            (b for b in program.batteries.all() if b.phase == Phase.FOLLOWUP and b.instruments),
            None,
        )
        for code in followup_codes(program):
            if (followup.episode_id, code, followup.due_on) in existing:
                continue
            admin = Administration(
                organization_id=followup.organization_id,
                participant_id=followup.participant_id,
                episode_id=followup.episode_id,
                instrument_code=code,
                phase=Phase.FOLLOWUP,
                battery=battery,
                period_start=followup.due_on,
                due_at=now,
            )
            new_admins.append(admin)
            first_for.setdefault(followup.pk, admin)
        followup.status = FollowUpStatus.DUE
        changed.append(followup)
    Administration.objects.bulk_create(new_admins)
    for followup in changed:
        first = first_for.get(followup.pk)
        if first is not None:
            followup.administration_id = first.pk
    made_due = sum(1 for f in changed if f.status == FollowUpStatus.DUE)

    # Close the open ones whose questionnaires are all done or out of time.
    due = list(_skip_locked(FollowUp.objects.filter(status=FollowUpStatus.DUE)))
    admins: dict[tuple[int, date], list[Administration]] = {}
    for admin in Administration.objects.filter(
        episode_id__in={f.episode_id for f in due}, phase=Phase.FOLLOWUP
    ).only("pk", "episode_id", "period_start", "status", "due_at"):
        admins.setdefault((admin.episode_id, admin.period_start), []).append(admin)
    late: list[int] = []
    completed = 0
    for followup in due:
        rows = admins.get((followup.episode_id, followup.due_on), [])
        still_open = [a for a in rows if a.status == AdministrationStatus.DUE]
        if still_open and all(a.due_at <= now - FOLLOWUP_WINDOW for a in still_open):
            late += [a.pk for a in still_open]
            for a in still_open:
                a.status = AdministrationStatus.MISSED
            still_open = []
        if still_open:
            continue
        answered = any(a.status == AdministrationStatus.COMPLETED for a in rows)
        followup.status = FollowUpStatus.COMPLETED if answered else FollowUpStatus.MISSED
        followup.closed_at = now
        completed += int(answered)
        missed += int(not answered)
        changed.append(followup)
    if late:
        Administration.objects.filter(pk__in=late, status=AdministrationStatus.DUE).update(
            status=AdministrationStatus.MISSED, closed_at=now
        )
    FollowUp.objects.bulk_update(changed, ["status", "made_due_at", "closed_at", "administration"])
    return FollowUpRun(made_due=made_due, completed=completed, missed=missed)
