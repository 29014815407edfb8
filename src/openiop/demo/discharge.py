"""Synthetic transitions, discharge summaries and alumni follow-ups for the demo clinic.

The demo builder makes discharged episodes with a reason; here they get a discharge kind, a
change-log entry (and for some a hold or an extension before), intake and discharge scores,
a summary drafted from the record (most signed, two waiting for a signature) and, for those
who agreed, check-ins at 30, 90 and 180 days, answered, missed, due or still ahead depending
on the date. A few active episodes get holds and extensions too. Invented data, bulk writes,
deterministic for a seed.
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from openiop.accounts.models import User
from openiop.demo.measures import _spread
from openiop.discharge.drafting import prefilled_sections, record_facts
from openiop.discharge.models import (
    FOLLOWUP_DAYS,
    AlumniConsent,
    ChangeKind,
    ConsentHow,
    Destination,
    DischargeSummary,
    EpisodeChange,
    FollowUp,
    FollowUpStatus,
    SummaryStatus,
)
from openiop.discharge.services import FOLLOWUP_WINDOW
from openiop.measures.definitions import get_instrument
from openiop.measures.models import (
    Administration,
    AdministrationStatus,
    Phase,
    Response,
    ResponseMode,
)
from openiop.measures.scoring import score
from openiop.participants.models import DischargeKind, Episode, EpisodeStatus
from openiop.programs.models import Program

DEMO_CLINICIAN = "clinician@example.org"
CODES = ("PHQ-9", "GAD-7")

# (text in the demo's discharge reason, kind, destination, provider)
KINDS = (
    ("Stepped up", DischargeKind.STEPPED_UP, Destination.PHP, "Riverbend General PHP"),
    ("Left the program", DischargeKind.AGAINST_ADVICE, Destination.NONE, ""),
    ("DBT skills group", DischargeKind.COMPLETED, Destination.OUTPATIENT_GROUP, ""),
    ("outpatient therapy", DischargeKind.COMPLETED, Destination.OUTPATIENT, ""),
)
PROVIDERS = (
    "Dr. Wren Halvorsen, Millbrook Counseling, 555-0140",
    "Juniper Street Therapy Group, 555-0141",
    "Oakridge Community Mental Health, 555-0142",
)
COURSES = (
    "Came to the program after several months of low mood and missed work. Attended steadily, "
    "used the diary card most days and practised distress tolerance skills in daily life. "
    "Leaves with fewer low days, back at work part time, and a clear plan for weekly therapy.",
    "Joined after a short inpatient stay. Early weeks were hard, with one hold for illness; "
    "from week five attendance and skills use picked up. Leaves steadier, with a relapse "
    "prevention plan reviewed together and family support in place.",
    "Engaged well in skills group and individual sessions. Mood scores came down over the "
    "episode. Anxiety remains at times; continuing with a skills group to keep practising.",
)
HOLD_REASONS = (
    "Short hospital stay for a medical procedure",
    "Family emergency out of state",
    "Illness; asked to pause for a week",
)
EXTENSION_REASONS = (
    "Goals on emotion regulation still open; payer approved two more weeks",
    "Missed a week on hold; extending to complete the distress tolerance module",
)


def _kind_of(reason: str) -> tuple[str, str, str]:
    for needle, kind, destination, provider in KINDS:
        if needle in reason:
            return kind, destination, provider
    return DischargeKind.COMPLETED, Destination.OUTPATIENT, ""


class _Scores:
    """Responses and their administrations, written in bulk at the end."""

    def __init__(self, program: Program, rng: random.Random) -> None:
        self.program = program
        self.rng = rng
        self.tz = zoneinfo.ZoneInfo(program.time_zone)
        self.now = timezone.now()
        self.instruments = {code: get_instrument(code) for code in CODES}
        self.administrations: list[Administration] = []
        self.responses: list[Response] = []

    def add(
        self,
        episode: Episode,
        code: str,
        phase: str,
        period: date,
        total: int | None,
        *,
        status: str = AdministrationStatus.COMPLETED,
        portal: User | None = None,
    ) -> None:
        due_at = datetime.combine(period, time(0), tzinfo=self.tz)
        administration = Administration(
            organization_id=self.program.organization_id,
            participant_id=episode.participant_id,
            episode=episode,
            instrument_code=code,
            phase=phase,
            period_start=period,
            due_at=min(due_at, self.now),
            status=status if total is None else AdministrationStatus.COMPLETED,
        )
        self.administrations.append(administration)
        if total is None:
            if status == AdministrationStatus.MISSED:
                administration.closed_at = min(due_at + FOLLOWUP_WINDOW, self.now)
            return
        instrument = self.instruments[code]
        answers = _spread(instrument, total, self.rng)
        result = score(instrument, answers).as_dict()
        completed = min(
            datetime.combine(period, time(self.rng.randint(9, 19)), tzinfo=self.tz)
            + timedelta(days=self.rng.randint(0, 2)),
            self.now - timedelta(minutes=5),
        )
        administration.closed_at = completed
        entered_by = portal or episode.primary_clinician
        assert entered_by is not None
        self.responses.append(
            Response(
                organization_id=self.program.organization_id,
                participant_id=episode.participant_id,
                episode=episode,
                administration=administration,
                instrument_code=code,
                instrument_version=instrument.version,
                answers=answers,
                result=result,
                total=result["total"],
                severity=result["severity"] or "",
                flags=result["flags"],
                entered_by=entered_by,
                mode=ResponseMode.PORTAL if portal else ResponseMode.IN_SESSION,
                completed_at=completed,
            )
        )

    def save(self) -> None:
        Administration.objects.bulk_create(self.administrations)
        for response in self.responses:
            response.administration_id = response.administration.pk  # type: ignore[union-attr]
        Response.objects.bulk_create(self.responses)


def _at(day: date, program: Program) -> datetime:
    moment = datetime.combine(day, time(15), tzinfo=zoneinfo.ZoneInfo(program.time_zone))
    return min(moment, timezone.now())


def build(*, program: Program, today: date, rng: random.Random) -> int:
    """Synthetic records for the demo clinic; returns how many were made."""
    demo_clinician = User.objects.filter(email=DEMO_CLINICIAN).first()
    changes: list[EpisodeChange] = []
    made = 0

    def change(episode: Episode, kind: str, on: date, reason: str, **kw: object) -> None:
        actor = episode.primary_clinician
        assert actor is not None
        changes.append(
            EpisodeChange(
                organization_id=program.organization_id,
                participant_id=episode.participant_id,
                episode=episode,
                kind=kind,
                on=on,
                reason=reason,
                actor=actor,
                created_at=_at(on, program),
                **kw,
            )
        )

    # Active episodes: a past hold for one, extensions for two near their planned end.
    active = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .exclude(primary_clinician__isnull=True)
        .select_related("participant")
        .order_by("participant__record_number")
    )
    late = [e for e in active if e.started_on and (today - e.started_on).days >= 70]
    for episode in late[:2]:
        assert episode.started_on is not None
        old_end = episode.started_on + timedelta(weeks=program.planned_weeks) - timedelta(days=1)
        new_end = old_end + timedelta(weeks=2)
        change(
            episode,
            ChangeKind.EXTENSION,
            today - timedelta(days=rng.randint(1, 5)),
            rng.choice(EXTENSION_REASONS),
            from_planned_end=old_end,
            to_planned_end=new_end,
        )
        episode.planned_end_on = new_end
    Episode.objects.bulk_update(late[:2], ["planned_end_on"])
    middle = [e for e in active if e.started_on and 35 <= (today - e.started_on).days < 70]
    for episode in middle[:1]:
        assert episode.started_on is not None
        held = episode.started_on + timedelta(days=15)
        change(episode, ChangeKind.HOLD, held, rng.choice(HOLD_REASONS))
        change(episode, ChangeKind.RESUME, held + timedelta(days=6), "Back and ready to continue")

    # Discharged episodes.
    discharged = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.DISCHARGED)
        .exclude(primary_clinician__isnull=True)
        .select_related("participant__user", "primary_clinician", "program")
        .order_by("participant__record_number")
    )
    scores = _Scores(program, rng)
    consents: list[AlumniConsent] = []
    followups: list[FollowUp] = []
    ends: dict[tuple[int, str], int] = {}
    for index, episode in enumerate(discharged):
        assert episode.discharged_on is not None
        assert episode.started_on is not None
        kind, destination, provider = _kind_of(episode.discharge_reason)
        if destination == Destination.OUTPATIENT and not provider:
            provider = rng.choice(PROVIDERS)
        episode.discharge_kind = kind
        change_kind = {
            DischargeKind.STEPPED_UP: ChangeKind.STEP_UP,
            DischargeKind.STEPPED_DOWN: ChangeKind.STEP_DOWN,
        }.get(DischargeKind(kind), ChangeKind.DISCHARGE)
        if index % 3 == 1:
            held = episode.started_on + timedelta(days=20)
            change(episode, ChangeKind.HOLD, held, rng.choice(HOLD_REASONS))
            change(episode, ChangeKind.RESUME, held + timedelta(days=7), "Returned after the hold")
        change(
            episode,
            change_kind,
            episode.discharged_on,
            episode.discharge_reason,
            destination=destination,
            destination_provider=provider,
        )
        # Intake and discharge scores: most improve, one who left early does not.
        improving = kind != DischargeKind.AGAINST_ADVICE
        for code, start, top in (
            ("PHQ-9", rng.randint(12, 19), 24),
            ("GAD-7", rng.randint(9, 15), 21),
        ):
            end = max(0, start - rng.randint(5, 10)) if improving else min(top, start + 1)
            scores.add(episode, code, Phase.INTAKE, episode.started_on, start)
            if kind != DischargeKind.AGAINST_ADVICE:
                scores.add(episode, code, Phase.DISCHARGE, episode.discharged_on, end)
            ends[(episode.pk, code)] = end
        # Alumni check-ins for those who agreed (all but the one who left and one other).
        agreed = kind != DischargeKind.AGAINST_ADVICE and index % 4 != 3
        consents.append(
            AlumniConsent(
                organization_id=program.organization_id,
                participant_id=episode.participant_id,
                episode=episode,
                agreed=agreed,
                how=ConsentHow.IN_PERSON,
                recorded_on=episode.discharged_on,
                recorded_by=episode.primary_clinician,
            )
        )
        if not agreed:
            continue
        for offset in FOLLOWUP_DAYS:
            due_on = episode.discharged_on + timedelta(days=offset)
            followup = FollowUp(
                organization_id=program.organization_id,
                participant_id=episode.participant_id,
                episode=episode,
                day_offset=offset,
                due_on=due_on,
            )
            followups.append(followup)
            if due_on > today:
                continue
            followup.made_due_at = _at(due_on, program)
            if today < due_on + FOLLOWUP_WINDOW:
                followup.status = FollowUpStatus.DUE
                for code in CODES:
                    scores.add(
                        episode, code, Phase.FOLLOWUP, due_on, None, status=AdministrationStatus.DUE
                    )
                continue
            answered = rng.random() < 0.7
            followup.status = FollowUpStatus.COMPLETED if answered else FollowUpStatus.MISSED
            followup.closed_at = _at(due_on + timedelta(days=3), program)
            for code in CODES:
                drift = rng.randint(-2, 3)
                total = max(0, ends[(episode.pk, code)] + drift)
                scores.add(
                    episode,
                    code,
                    Phase.FOLLOWUP,
                    due_on,
                    total if answered else None,
                    status=AdministrationStatus.MISSED,
                    portal=episode.participant.user,
                )
    Episode.objects.bulk_update(discharged, ["discharge_kind"])
    EpisodeChange.objects.bulk_create(changes)
    scores.save()
    AlumniConsent.objects.bulk_create(consents)
    FollowUp.objects.bulk_create(followups)
    made += len(changes) + len(consents) + len(followups)

    # Summaries drafted from the record: most signed, two waiting for a signature (one of
    # them for the printed clinician login, so the staff home shows it).
    summaries = []
    drafts = 0
    for index, episode in enumerate(discharged):
        assert episode.discharged_on is not None
        assert episode.primary_clinician is not None
        last = [c for c in changes if c.episode_id == episode.pk][-1]
        aftercare = {
            "destination": str(Destination(last.destination).label) if last.destination else "",
            "provider": last.destination_provider,
            "appointments": f"First appointment booked for "
            f"{episode.discharged_on + timedelta(days=rng.randint(5, 12)):%b %d}."
            if last.destination not in ("", Destination.NONE)
            else "",
            "medication_followup": rng.choice(
                (
                    "No medications.",
                    "Sertraline continues; primary care follows up within four weeks.",
                    "Prescriber at the outpatient clinic sees them within a month.",
                )
            ),
        }
        facts = record_facts(episode, aftercare=aftercare)
        drafted_at = _at(episode.discharged_on, program)
        summary = DischargeSummary(
            organization_id=program.organization_id,
            participant_id=episode.participant_id,
            episode=episode,
            facts=facts,
            drafted_at=drafted_at,
            drafted_by=episode.primary_clinician,
            updated_at=drafted_at,
            updated_by=episode.primary_clinician,
            **prefilled_sections(facts),
        )
        draft = drafts < 2 and index >= len(discharged) - 3
        if draft:
            drafts += 1
            if demo_clinician is not None and drafts == 1:
                summary.drafted_by = demo_clinician
        else:
            summary.course_of_treatment = COURSES[index % len(COURSES)]
            if not summary.appointments:
                summary.appointments = "None booked; the participant declined further care."
            summary.status = SummaryStatus.SIGNED
            summary.signed_by = episode.primary_clinician
            summary.signed_at = _at(episode.discharged_on + timedelta(days=2), program)
            summary.updated_at = summary.signed_at
            summary.content_hash = summary.compute_hash()
        summaries.append(summary)
    DischargeSummary.objects.bulk_create(summaries)
    return made + len(summaries)
