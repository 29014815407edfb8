"""The week planner: a program's week from the database to the solver and back.

    run = plan_start(actor=director, program=program, week_start=monday)   # a background task
    ...                                                                     # plan_compute runs it
    plan_apply(actor=director, run=run, accepted=["p12:individual:w0:0", ...])

`problem_for` reads the week (clinicians' working hours and bookings, rooms and their bookings,
participants' track groups, other sessions and declared unavailable times, who still needs an
individual session) into the pure solver's `Problem`; solver keys name rows by id ("p12" is
participant 12), never by name. The proposal is kept on the PlanRun as JSON. Applying books
the accepted sessions through `services.session_book_individual`, the same write function and
conflict checks as booking by hand, in one transaction: a conflict with anything booked since
the run (by hand, or by applying another run) refuses the whole apply and books nothing.
Nothing is booked until a director applies it.

Not yet modelled here (the solver supports them): family sessions (the product records no
request for one), make-up lessons, preferred times and telehealth individual sessions.
"""

from __future__ import annotations

import threading
import time as clock
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskContext, task

from openiop.accounts.models import User
from openiop.accounts.roles import Perm
from openiop.ops.delivery import deliver, email_sender
from openiop.ops.models import DeliveryPolicy
from openiop.ops.queue import enqueue_with_commit
from openiop.ops.tracking import progress_report, result_link_set, task_start
from openiop.participants.models import (
    CareTeamMember,
    CareTeamRole,
    Episode,
    EpisodeStatus,
    Participant,
)
from openiop.participants.services import CLINICAL_ROLES
from openiop.programs.models import Program, Room, SessionCategory, SessionType
from openiop.scheduling import services
from openiop.scheduling import solver as sv
from openiop.scheduling.models import (
    ClinicianHours,
    PlanRun,
    PlanState,
    RosterEntry,
    Session,
    SessionStatus,
    Unavailability,
)
from openiop.scheduling.reminders import preference_for, recipient_of
from openiop.scheduling.solver.proposal import PREFERENCE_WORDS

# A clinician with no working hours recorded for the program works this day, Monday to Friday.
DEFAULT_HOURS = (time(8, 0), time(18, 0))
# Seconds the solver may search; the explanations of what could not be placed come after.
TIME_LIMIT = 20.0
# Care-team roles that hold individual sessions (not the prescriber or the case manager).
THERAPY_ROLES = (CareTeamRole.PRIMARY, CareTeamRole.FAMILY, CareTeamRole.GROUP)
PLANNED_STATUSES = (EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE)


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _key(prefix: str, pk: int) -> str:
    return f"{prefix}{pk}"


def _pk(key: str) -> int:
    return int(key[1:])


def _minutes(hours: Decimal | float | int) -> int:
    return int(Decimal(hours) * 60)


@dataclass
class _Week:
    """The week in the program's zone: day numbers and local times of UTC moments."""

    program: Program
    week_start: date
    zone: zoneinfo.ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self.zone = zoneinfo.ZoneInfo(self.program.time_zone)

    @property
    def starts_at(self) -> datetime:
        return services.local_to_utc(self.week_start, time(0, 0), self.program)

    @property
    def ends_at(self) -> datetime:
        return services.local_to_utc(self.week_start + timedelta(days=7), time(0, 0), self.program)

    def booking(self, session: Session, label: str) -> sv.Booking | None:
        """The session as a booking of the horizon, clipped to its local day."""
        start = session.starts_at.astimezone(self.zone)
        end = session.ends_at.astimezone(self.zone)
        day = (start.date() - self.week_start).days
        if not 0 <= day < 7:
            return None
        end_time = end.time() if end.date() == start.date() else time(23, 59)
        if start.time() >= end_time:
            return None
        return sv.Booking(day=day, start=start.time(), end=end_time, label=label)


@dataclass(frozen=True)
class Built:
    """The problem and what the page needs beside it."""

    problem: sv.Problem
    session_type: SessionType
    # Clinicians taken to work the default day because none of their hours are recorded.
    assumed_hours: tuple[str, ...] = ()


def individual_type(program: Program) -> SessionType:
    kind = (
        SessionType.objects.filter(
            program=program, category=SessionCategory.INDIVIDUAL, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if kind is None:
        raise ValidationError(
            f"{program.name} has no active individual session type: add one before planning."
        )
    return kind


def problem_for(program: Program, week_start: date) -> Built:
    """The program's week as the solver's problem: who needs an individual session, and what
    everyone already has on."""
    if week_start.weekday() != 0:
        raise ValidationError("A planned week starts on a Monday.")
    week = _Week(program, week_start)
    kind = individual_type(program)
    around = Session.objects.filter(
        organization_id=program.organization_id,
        status=SessionStatus.SCHEDULED,
        starts_at__lt=week.ends_at,
        ends_at__gt=week.starts_at,
    ).select_related("session_type")
    clinicians = list(
        User.objects.filter(
            organization_id=program.organization_id,
            assignments__program=program,
            role__in=CLINICAL_ROLES,
            is_active=True,
        ).order_by("full_name", "pk")
    )
    clinician_keys = {u.pk: _key("u", u.pk) for u in clinicians}
    rooms = list(
        Room.objects.filter(site_id=program.site_id, is_active=True, telehealth=False).order_by(
            "name", "pk"
        )
    )
    sessions = list(around.prefetch_related("facilitators"))
    clin_busy: dict[int, list[sv.Booking]] = {}
    room_busy: dict[int, list[sv.Booking]] = {}
    for s in sessions:
        booking = week.booking(s, s.session_type.name)
        if booking is None:
            continue
        for u in s.facilitators.all():
            clin_busy.setdefault(u.pk, []).append(booking)
        if s.room_id is not None:
            room_busy.setdefault(s.room_id, []).append(booking)

    hours: dict[int, list[sv.WeeklyTime]] = {}
    for h in ClinicianHours.objects.filter(program=program, user__in=clinicians):
        hours.setdefault(h.user_id, []).append(
            sv.WeeklyTime(weekday=h.weekday, start=h.start_time, end=h.end_time)
        )
    assumed = [u.display_name for u in clinicians if u.pk not in hours]
    default = [sv.WeeklyTime(d, DEFAULT_HOURS[0], DEFAULT_HOURS[1]) for d in range(5)]

    episodes = list(
        Episode.objects.filter(program=program, status__in=PLANNED_STATUSES)
        .filter(Q(started_on__isnull=True) | Q(started_on__lt=week_start + timedelta(days=7)))
        .select_related("participant", "track")
        .order_by("participant__legal_last_name", "participant__pk")
    )
    person_ids = [e.participant_id for e in episodes]
    teams: dict[int, list[int]] = {}
    for member in (
        CareTeamMember.objects.filter(
            episode__in=episodes, role__in=THERAPY_ROLES, since__lt=week_start + timedelta(days=7)
        )
        .filter(Q(until__isnull=True) | Q(until__gte=week_start))
        .order_by("role", "since", "pk")
    ):
        teams.setdefault(member.episode_id, []).append(member.user_id)
    booked: dict[int, list[Session]] = {}
    for entry in RosterEntry.objects.filter(
        participant_id__in=person_ids, session__in=[s.pk for s in sessions]
    ):
        booked.setdefault(entry.participant_id, []).append(
            next(s for s in sessions if s.pk == entry.session_id)
        )
    unavailable: dict[int, list[sv.Unavailable]] = {}
    for row in Unavailability.objects.filter(participant_id__in=person_ids):
        unavailable.setdefault(row.participant_id, []).append(
            sv.Unavailable(
                weekday=row.weekday, start=row.start_time, end=row.end_time, reason=row.reason
            )
        )
    last = _last_slots(program, week, person_ids)

    groups: list[sv.Group] = []
    for s in sessions:
        if s.program_id == program.pk and s.session_type.is_group and s.track_id is not None:
            booking = week.booking(s, s.session_type.name)
            if booking is not None:
                groups.append(
                    sv.Group(
                        key=_key("s", s.pk),
                        name=s.session_type.name,
                        day=booking.day,
                        start=booking.start,
                        end=booking.end,
                        track=_key("t", s.track_id),
                        counts_toward_hours=s.session_type.counts_toward_hours,
                    )
                )

    participants: list[sv.Participant] = []
    for e in episodes:
        mine = booked.get(e.participant_id, [])
        has_individual = any(
            s.session_type.category == SessionCategory.INDIVIDUAL and s.program_id == program.pk
            for s in mine
        )
        team = [u for u in teams.get(e.pk, []) if u in clinician_keys]
        primary = e.primary_clinician_id if e.primary_clinician_id in clinician_keys else None
        others = tuple(dict.fromkeys(clinician_keys[u] for u in team if u != primary))
        busy = tuple(
            b
            for s in mine
            if (b := week.booking(s, s.session_type.name)) is not None
            # Their own track's groups are given as groups: hours and billable days count them.
            and not (s.track_id is not None and s.track_id == e.track_id)
        )
        participants.append(
            sv.Participant(
                key=_key("p", e.participant_id),
                name=e.participant.display_name,
                primary=clinician_keys[primary] if primary is not None else None,
                care_team=others,
                track=_key("t", e.track_id) if e.track_id else None,
                unavailable=tuple(unavailable.get(e.participant_id, [])),
                busy=busy,
                last_slot=last.get(e.participant_id),
                individual_per_week=0 if has_individual else 1,
            )
        )
    problem = sv.Problem(
        week_start=week_start,
        rules=sv.Rules(
            individual=sv.SessionRule(
                minutes=kind.default_minutes, counts_toward_hours=kind.counts_toward_hours
            ),
            billable_day_minutes=_minutes(program.billable_day_hours),
            weekly_minutes_min=_minutes(program.weekly_hours_min),
        ),
        clinicians=tuple(
            sv.Clinician(
                key=clinician_keys[u.pk],
                name=u.display_name,
                licences=frozenset(c.strip() for c in u.credentials.split(",") if c.strip()),
                hours=tuple(hours.get(u.pk, default)),
                busy=tuple(clin_busy.get(u.pk, [])),
            )
            for u in clinicians
        ),
        rooms=tuple(
            sv.Room(
                key=_key("r", r.pk),
                name=r.name,
                capacity=r.capacity,
                features=frozenset(
                    name
                    for name, has in (
                        (sv.Feature.PET_FRIENDLY, r.pet_friendly),
                        (sv.Feature.WHEELCHAIR, r.wheelchair_accessible),
                    )
                    if has
                ),
                busy=tuple(room_busy.get(r.pk, [])),
            )
            for r in rooms
        ),
        groups=tuple(groups),
        participants=tuple(participants),
    )
    return Built(problem=problem, session_type=kind, assumed_hours=tuple(assumed))


def _last_slots(program: Program, week: _Week, person_ids: list[int]) -> dict[int, sv.LastSlot]:
    """Each participant's individual session of the week before: continuity keeps it."""
    before = week.starts_at - timedelta(days=7)
    rows = (
        RosterEntry.objects.filter(
            participant_id__in=person_ids,
            session__program=program,
            session__status=SessionStatus.SCHEDULED,
            session__session_type__category=SessionCategory.INDIVIDUAL,
            session__starts_at__gte=before,
            session__starts_at__lt=week.starts_at,
        )
        .select_related("session")
        .prefetch_related("session__facilitators")
        .order_by("session__starts_at")
    )
    last: dict[int, sv.LastSlot] = {}
    for entry in rows:
        start = entry.session.starts_at.astimezone(week.zone)
        lead = next(iter(entry.session.facilitators.all()), None)
        last[entry.participant_id] = sv.LastSlot(
            weekday=start.weekday(),
            start=start.time(),
            clinician=_key("u", lead.pk) if lead is not None else None,
        )
    return last


# --- the proposal as JSON ---------------------------------------------------------------------


def _clock(t: time) -> str:
    return t.strftime("%H:%M")


def proposal_json(proposal: sv.Proposal) -> dict[str, Any]:
    return {
        "status": str(proposal.status),
        "sessions": [
            {
                "request": s.request,
                "kind": str(s.kind),
                "participant": s.participant,
                "day": s.day,
                "start": _clock(s.start),
                "end": _clock(s.end),
                "clinician": s.clinician,
                "room": s.room,
                "met": list(s.met),
                "reasons": list(s.reasons),
                "pinned": s.pinned,
            }
            for s in proposal.sessions
        ],
        "unplaced": [
            {
                "request": u.request,
                "kind": str(u.kind),
                "participant": u.participant,
                "reason": u.reason,
                "relax": list(u.relax),
            }
            for u in proposal.unplaced
        ],
        "parts": {k: list(v) for k, v in proposal.parts.items()},
        "objective": proposal.objective,
        "bound": proposal.bound,
        "gap": proposal.gap,
        "seconds": round(proposal.seconds, 1),
        "loads": [
            {"clinician": x.clinician, "sessions": x.sessions, "target": x.target}
            for x in proposal.loads
        ],
        "conflicts": list(proposal.conflicts),
        "requests": proposal.requests,
        "preferences_met": proposal.preferences_met,
        "source": proposal.source,
    }


def previous_proposal(data: dict[str, Any]) -> sv.Proposal:
    """Enough of a stored proposal to re-solve from it (its sessions' places)."""
    return sv.Proposal(
        status=sv.Status(data["status"]),
        sessions=tuple(
            sv.PlacedSession(
                request=s["request"],
                kind=sv.Kind(s["kind"]),
                participant=s["participant"],
                day=s["day"],
                start=time.fromisoformat(s["start"]),
                end=time.fromisoformat(s["end"]),
                clinician=s["clinician"],
                room=s["room"],
            )
            for s in data.get("sessions", [])
        ),
    )


# --- starting, computing, deciding -------------------------------------------------------------


def _check_planner(actor: User, program: Program) -> None:
    if (
        actor.organization_id != program.organization_id
        or not actor.can(Perm.PROGRAM_CONFIGURE)
        or not actor.assignments.filter(program=program).exists()
    ):
        raise ValidationError("Only a director of the program plans its week.")


def plan_start(
    *,
    actor: User,
    program: Program,
    week_start: date,
    pins: Sequence[dict[str, Any]] = (),
    forbids: Sequence[dict[str, Any]] = (),
    previous: PlanRun | None = None,
) -> PlanRun:
    """Record a run and start it in the background (the task takes the run's id only)."""
    _check_planner(actor, program)
    if week_start.weekday() != 0:
        raise ValidationError("A planned week starts on a Monday.")
    individual_type(program)
    with transaction.atomic():
        run = PlanRun.objects.create(
            organization_id=program.organization_id,
            program=program,
            week_start=week_start,
            requested_by=actor,
            previous=previous,
            pins=list(pins),
            forbids=list(forbids),
        )
        run.tracked = task_start(
            plan_compute,
            run.pk,
            requester=actor,
            label=f"Week plan: {week_start:%b} {week_start.day}",
        )
        run.save(update_fields=["tracked"])
    return run


def plan_solve(run: PlanRun, *, time_limit: float = TIME_LIMIT, on_progress: Any = None) -> PlanRun:
    """Build the problem, solve it, keep the proposal on the run. Used by the task."""
    built = problem_for(run.program, run.week_start)
    problem = built.problem
    known = {p.key for p in problem.participants}
    pins = tuple(
        sv.Pin(
            request=p["request"],
            day=p["day"],
            start=time.fromisoformat(p["start"]),
            clinician=p.get("clinician"),
        )
        for p in run.pins
        if p["request"].split(":")[0] in known
    )
    forbids = tuple(
        sv.Forbid(
            request=f["request"],
            day=f.get("day"),
            start=time.fromisoformat(f["start"]) if f.get("start") else None,
            clinician=f.get("clinician"),
        )
        for f in run.forbids
        if f["request"].split(":")[0] in known
    )
    problem = replace(problem, pins=pins, forbids=forbids)
    previous = (
        previous_proposal(run.previous.proposal)
        if run.previous is not None and run.previous.proposal
        else None
    )
    proposal = sv.solve(problem, time_limit=time_limit, previous=previous, on_progress=on_progress)
    run.proposal = proposal_json(proposal)
    run.keys = {
        "assumed_hours": list(built.assumed_hours),
        "names": {
            **{c.key: c.name for c in problem.clinicians},
            **{r.key: r.name for r in problem.rooms},
            **{p.key: p.name for p in problem.participants},
        },
    }
    run.state = PlanState.READY
    run.finished_at = timezone.now()
    run.save(update_fields=["proposal", "keys", "state", "finished_at"])
    return run


# The solver reports from its own threads; the tracked row is written at most this often.
PROGRESS_EVERY = 2.0


@task(takes_context=True)
def plan_compute(context: TaskContext, run_id: int) -> str:
    """Solve one PlanRun (its id is the only argument: no PHI in the queue). Progress is
    numbers only: seconds searched and the best schedule's points."""
    run = PlanRun.objects.select_related("program", "previous").get(pk=run_id)
    if run.state != PlanState.RUNNING:
        return "already done"
    progress_report(context, done=1, total=3, note="Reading the week")
    last = [clock.monotonic()]
    home = threading.get_ident()

    def report(step: sv.Progress) -> None:
        now = clock.monotonic()
        if now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        best = "none yet" if step.objective is None else f"{step.objective:,.0f} points"
        try:
            progress_report(
                context, done=2, total=3, note=f"Searching for {step.seconds:.0f} s: best {best}"
            )
        except DatabaseError:
            pass  # progress is a courtesy; the run goes on
        finally:
            if threading.get_ident() != home:
                connection.close()  # a solver thread keeps no connection open

    try:
        progress_report(context, done=2, total=3, note="Searching")
        plan_solve(run, on_progress=report)
    except Exception as exc:
        PlanRun.objects.filter(pk=run.pk).update(
            state=PlanState.FAILED, failure=type(exc).__name__[:300], finished_at=timezone.now()
        )
        raise
    progress_report(context, done=3, total=3, note="Proposal ready")
    result_link_set(context, url=reverse("scheduling:plan_run", args=[run.public_id]))
    return f"{len((run.proposal or {}).get('sessions', []))} sessions proposed"


def _proposed(run: PlanRun, requests: Iterable[str]) -> list[dict[str, Any]]:
    wanted = set(requests)
    sessions = (run.proposal or {}).get("sessions", [])
    return [s for s in sessions if s["request"] in wanted]


@transaction.atomic
def plan_apply(*, actor: User, run: PlanRun, accepted: Sequence[str]) -> list[Session]:
    """Book the accepted sessions of a ready run, all or none: each through the same write
    function and conflict checks as booking by hand. A conflict (something booked meanwhile)
    raises ConflictError and nothing is booked."""
    locked = PlanRun.objects.select_for_update().get(pk=run.pk)
    _check_planner(actor, locked.program)
    if locked.state != PlanState.READY:
        raise ValidationError("This proposal was already decided; build the week again.")
    chosen = _proposed(locked, accepted)
    if not chosen:
        raise ValidationError("Choose at least one session to book.")
    program = locked.program
    kind = individual_type(program)
    people = {
        p.pk: p
        for p in Participant.objects.filter(
            organization_id=program.organization_id,
            pk__in=[_pk(s["participant"]) for s in chosen],
        )
    }
    staff = {
        u.pk: u
        for u in User.objects.filter(
            organization_id=program.organization_id,
            pk__in=[_pk(s["clinician"]) for s in chosen if s["clinician"]],
        )
    }
    rooms = {
        r.pk: r
        for r in Room.objects.filter(
            site_id=program.site_id, pk__in=[_pk(s["room"]) for s in chosen if s["room"]]
        )
    }
    booked: list[Session] = []
    for s in sorted(chosen, key=lambda s: (s["day"], s["start"], s["request"])):
        if s["kind"] != sv.Kind.INDIVIDUAL or not s["clinician"] or not s["room"]:
            continue
        day = locked.week_start + timedelta(days=s["day"])
        booked.append(
            services.session_book_individual(
                actor=actor,
                participant=people[_pk(s["participant"])],
                program=program,
                session_type=kind,
                starts_at=services.local_to_utc(day, time.fromisoformat(s["start"]), program),
                ends_at=services.local_to_utc(day, time.fromisoformat(s["end"]), program),
                facilitators=[staff[_pk(s["clinician"])]],
                room=rooms[_pk(s["room"])],
            )
        )
    locked.state = PlanState.APPLIED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    locked.booked.set(booked)
    enqueue_with_commit(plan_notices_send, locked.pk)
    return booked


NOTICE_SUBJECT = "A new session was booked for you"
NOTICE_BODY = (
    "Hello,\n\n"
    "Your program has booked a new session for you. Sign in to your portal to see when and "
    "where it is.\n"
)


@task()
def plan_notices_send(run_id: int) -> int:
    """Tell each participant booked by an applied run, who asked for e-mail reminders, that a
    session was booked: the message names no time, program or session type (the portal
    does), and goes out at most once per session."""
    run = PlanRun.objects.get(pk=run_id)
    sent = 0
    for entry in RosterEntry.objects.filter(session__in=run.booked.all()).select_related(
        "participant__user"
    ):
        address = recipient_of(entry.participant)
        if not address or not preference_for(entry.participant).email_enabled:
            continue
        sent += deliver(
            key=f"plan-booked:{entry.session_id}:{entry.participant_id}",
            kind="plan-booked",
            policy=DeliveryPolicy.AT_MOST_ONCE,
            send=email_sender(NOTICE_SUBJECT, NOTICE_BODY, [address]),
        )
    return sent


@transaction.atomic
def plan_reject(*, actor: User, run: PlanRun) -> PlanRun:
    locked = PlanRun.objects.select_for_update().get(pk=run.pk)
    _check_planner(actor, locked.program)
    if locked.state not in (PlanState.READY, PlanState.FAILED):
        raise ValidationError("This proposal was already decided.")
    locked.state = PlanState.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    return locked


def plan_resolve(
    *, actor: User, run: PlanRun, pinned: Sequence[str], removed: Sequence[str]
) -> PlanRun:
    """Solve the week again with the chosen sessions pinned where they are and the removed
    ones kept away from their time; the rest stays put where it can."""
    with transaction.atomic():
        locked = PlanRun.objects.select_for_update().get(pk=run.pk)
        _check_planner(actor, locked.program)
        if locked.state != PlanState.READY:
            raise ValidationError("This proposal was already decided; build the week again.")
        pins = [_place(s) for s in _proposed(locked, pinned)]
        forbids = list(locked.forbids) + [_place(s) for s in _proposed(locked, removed)]
        locked.state = PlanState.SUPERSEDED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
    return plan_start(
        actor=actor,
        program=locked.program,
        week_start=locked.week_start,
        pins=pins,
        forbids=forbids,
        previous=locked,
    )


@transaction.atomic
def clinician_hours_add(
    *, actor: User, program: Program, user: User, weekday: int, start: time, end: time
) -> ClinicianHours:
    """A clinician's working hours on a weekday for the program (the planner's hard limit)."""
    _check_planner(actor, program)
    if not user.assignments.filter(program=program).exists() or user.role not in CLINICAL_ROLES:
        raise ValidationError(f"Choose a clinician assigned to {program.name}.")
    if not 0 <= weekday <= 6 or start >= end:
        raise ValidationError("Working hours are a weekday and a time that ends after it starts.")
    overlapping = ClinicianHours.objects.filter(
        program=program, user=user, weekday=weekday, start_time__lt=end, end_time__gt=start
    )
    if overlapping.exists():
        raise ValidationError("These hours overlap hours already recorded for that day.")
    return ClinicianHours.objects.create(
        organization_id=program.organization_id,
        program=program,
        user=user,
        weekday=weekday,
        start_time=start,
        end_time=end,
    )


@transaction.atomic
def clinician_hours_remove(*, actor: User, hours: ClinicianHours) -> None:
    _check_planner(actor, hours.program)
    hours.delete()


def _place(session: dict[str, Any]) -> dict[str, Any]:
    return {k: session[k] for k in ("request", "day", "start", "clinician")}


def preference_words(codes: Iterable[str]) -> list[str]:
    return [PREFERENCE_WORDS.get(c, c) for c in codes]
