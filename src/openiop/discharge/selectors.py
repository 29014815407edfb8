"""Reads for the discharge pages: scoped lookups, the chart panel, the staff home, the portal's
alumni check-ins and the program outcomes. Each runs a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from openiop.accounts.roles import Perm, Role
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.discharge.drafting import planned_end
from openiop.discharge.models import (
    FOLLOWUP_DAYS,
    AlumniConsent,
    DischargeSummary,
    EpisodeChange,
    FollowUp,
    FollowUpStatus,
    SummaryStatus,
)
from openiop.measures.definitions import Instrument, UnknownInstrument, get_instrument
from openiop.measures.models import (
    Administration,
    AdministrationStatus,
    Phase,
    Response,
    ResponseStatus,
)
from openiop.measures.progress import Outcome, outcome, rule_from_definition
from openiop.participants.access import program_ids_for
from openiop.participants.models import (
    IN_TREATMENT_STATUSES,
    DischargeKind,
    Episode,
    EpisodeStatus,
    Participant,
)
from openiop.programs.models import Program

if TYPE_CHECKING:
    from openiop.accounts.models import User

# Staff home: how far ahead a planned end counts as "coming up".
ENDING_WITHIN = timedelta(days=7)
HOME_LIMIT = 10
# Alumni are offered check-ins from the portal for this long after discharge.
PORTAL_OFFER_FOR = timedelta(days=150)


def _visible_programs(user: User) -> QuerySet[Program]:
    programs = Program.objects.filter(pk__in=program_ids_for(user))
    if not user.can(Perm.PARTICIPANT_SUD):
        programs = programs.exclude(treats_sud=True)
    return programs


def _deny(request: HttpRequest, participant: Participant, object_type: str) -> None:
    access_record(
        request=request,
        action=AccessAction.DENIED,
        object_type=object_type,
        participant=participant,
    )
    raise PermissionDenied("Substance-use treatment records need Part 2 access.")


def episode_for(
    request: HttpRequest, participant: Participant, episode_id: UUID, *, object_type: str
) -> Episode:
    """One of the participant's episodes in the user's programs (404 otherwise); an episode of
    a substance-use program needs SUD access (403)."""
    user = request.user
    episode = (
        participant.episodes.select_related("program", "track", "primary_clinician", "participant")
        .filter(public_id=episode_id, program_id__in=program_ids_for(user))
        .first()
    )
    if episode is None:
        raise Http404("No such episode.")
    if episode.program.treats_sud and not (
        user.is_authenticated and user.can(Perm.PARTICIPANT_SUD)
    ):
        _deny(request, participant, object_type)
    return episode


def summary_for(
    request: HttpRequest, participant: Participant, summary_id: UUID, *, object_type: str
) -> DischargeSummary:
    user = request.user
    summary = (
        DischargeSummary.objects.select_related(
            "episode__program",
            "episode__participant",
            "episode__primary_clinician",
            "signed_by",
            "drafted_by",
            "updated_by",
        )
        .filter(
            participant=participant,
            public_id=summary_id,
            episode__program_id__in=program_ids_for(user),
        )
        .first()
    )
    if summary is None:
        raise Http404("No such summary.")
    if summary.episode.program.treats_sud and not (
        user.is_authenticated and user.can(Perm.PARTICIPANT_SUD)
    ):
        _deny(request, participant, object_type)
    return summary


def episode_changes(episode: Episode) -> list[EpisodeChange]:
    return list(EpisodeChange.objects.filter(episode=episode).select_related("actor")[:50])


# --- chart panel -----------------------------------------------------------------------------


@dataclass
class EpisodeRow:
    episode: Episode
    planned_end: date | None
    days_left: int | None
    summary: DischargeSummary | None
    changes: list[EpisodeChange]
    followups: list[FollowUp]
    consent: AlumniConsent | None

    @property
    def in_treatment(self) -> bool:
        return self.episode.status in IN_TREATMENT_STATUSES


def chart_rows(user: User, participant: Participant, today: date) -> list[EpisodeRow]:
    """The participant's admitted episodes in the user's visible programs, newest first, with
    their summaries, last changes, consents and follow-ups: three queries."""
    episodes = list(
        participant.episodes.filter(program__in=_visible_programs(user), admitted_on__isnull=False)
        .select_related("program", "discharge_summary", "alumni_consent")
        .order_by("-admitted_on", "-id")[:10]
    )
    ids = [e.pk for e in episodes]
    changes: dict[int, list[EpisodeChange]] = defaultdict(list)
    for change in EpisodeChange.objects.filter(episode_id__in=ids).order_by("-on", "-id"):
        if len(changes[change.episode_id]) < 5:
            changes[change.episode_id].append(change)
    followups: dict[int, list[FollowUp]] = defaultdict(list)
    for followup in FollowUp.objects.filter(episode_id__in=ids).order_by("day_offset"):
        followups[followup.episode_id].append(followup)
    rows = []
    for episode in episodes:
        end = planned_end(episode) if episode.status in IN_TREATMENT_STATUSES else None
        rows.append(
            EpisodeRow(
                episode=episode,
                planned_end=end,
                days_left=(end - today).days if end else None,
                summary=getattr(episode, "discharge_summary", None),
                changes=changes[episode.pk],
                followups=followups[episode.pk],
                consent=getattr(episode, "alumni_consent", None),
            )
        )
    return rows


# --- staff home -------------------------------------------------------------------------------


def summaries_to_sign(user: User) -> list[DischargeSummary]:
    """Drafts the user drafted, or of episodes they are the primary clinician of."""
    if user.role not in (Role.CLINICIAN, Role.DIRECTOR):
        return []
    return list(
        DischargeSummary.objects.filter(
            status=SummaryStatus.DRAFT, episode__program__in=_visible_programs(user)
        )
        .filter(Q(drafted_by=user) | Q(episode__primary_clinician=user))
        .select_related("participant", "episode__program")
        .order_by("drafted_at")[:HOME_LIMIT]
    )


def episodes_ending(user: User, today: date) -> list[tuple[Episode, date]]:
    """Episodes in treatment whose planned end is within a week (or already past): extend them
    or plan the discharge. A clinician sees their own caseload, the director the program's."""
    horizon = today + ENDING_WITHIN
    programs = list(_visible_programs(user).only("pk", "planned_weeks"))
    # Episodes without an agreed end (admitted before planned ends were recorded) end the
    # program's planned weeks after their first day: bound those in SQL too, so the page
    # never loads the whole caseload to find the few that are ending.
    ending = Q(planned_end_on__lte=horizon)
    for program in programs:
        cut = horizon - timedelta(weeks=program.planned_weeks) + timedelta(days=1)
        ending |= Q(program=program, planned_end_on__isnull=True) & (
            Q(started_on__lte=cut) | Q(started_on__isnull=True, admitted_on__lte=cut)
        )
    episodes = Episode.objects.filter(
        program__in=programs, status__in=list(IN_TREATMENT_STATUSES)
    ).filter(ending)
    if user.role != Role.DIRECTOR:
        episodes = episodes.filter(primary_clinician=user)
    rows = []
    for episode in episodes.select_related("participant", "program").order_by("pk")[:100]:
        end = planned_end(episode)
        if end is not None and end <= today + ENDING_WITHIN:
            rows.append((episode, end))
    rows.sort(key=lambda row: row[1])
    return rows[:HOME_LIMIT]


# --- portal -----------------------------------------------------------------------------------


@dataclass
class PortalCheckin:
    title: str
    items: list[tuple[Administration, Instrument]]


def _instrument(code: str) -> Instrument | None:
    try:
        return get_instrument(code)
    except UnknownInstrument:
        return None


def portal_alumni(participant: Participant, today: date) -> dict[str, Any]:
    """What an alumnus sees: the discharge and follow-up questionnaires due now (the portal's
    own check-in list covers only open episodes), the next check-in, and whether they can
    stop them or still opt in."""
    due = list(
        Administration.objects.filter(
            participant=participant,
            status=AdministrationStatus.DUE,
            phase__in=[Phase.DISCHARGE, Phase.FOLLOWUP],
            episode__status=EpisodeStatus.DISCHARGED,
        )
        .select_related("draft")
        .order_by("due_at", "id")
    )
    followups = list(
        FollowUp.objects.filter(participant=participant).only(
            "episode_id", "day_offset", "due_on", "status"
        )
    )
    offsets = {(f.episode_id, f.due_on): f.day_offset for f in followups}
    groups: dict[str, PortalCheckin] = {}
    for administration in due:
        instrument = _instrument(administration.instrument_code)
        if instrument is None or not instrument.text_shipped:
            continue
        if administration.phase == Phase.DISCHARGE:
            title = "Your discharge check-in"
        else:
            offset = offsets.get((administration.episode_id, administration.period_start))
            title = f"Your {offset}-day check-in" if offset else "Your alumni check-in"
        groups.setdefault(title, PortalCheckin(title=title, items=[])).items.append(
            (administration, instrument)
        )
    consents = list(AlumniConsent.objects.filter(participant=participant))
    active = [c for c in consents if c.is_active]
    upcoming = sorted(
        (f for f in followups if f.status == FollowUpStatus.PENDING), key=lambda f: f.due_on
    )
    offer = None
    if not consents:
        offer = (
            participant.episodes.filter(
                status=EpisodeStatus.DISCHARGED,
                admitted_on__isnull=False,
                discharged_on__gte=today - PORTAL_OFFER_FOR,
            )
            .order_by("-discharged_on")
            .first()
        )
    return {
        "alumni_checkins": list(groups.values()),
        "alumni_next": upcoming[0] if upcoming and active else None,
        "alumni_can_stop": bool(active),
        "alumni_offer": offer,
    }


# --- outcomes ---------------------------------------------------------------------------------


@dataclass
class ScoreRow:
    code: str
    means: dict[str, float | None]
    counts: dict[str, int]
    improved: int = 0
    paired: int = 0

    @property
    def improved_pct(self) -> int | None:
        return round(100 * self.improved / self.paired) if self.paired else None


@dataclass
class FollowUpRate:
    day_offset: int
    answered: int
    closed: int
    open: int
    declined: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.answered / self.closed) if self.closed else None


@dataclass
class ProgramOutcomes:
    program: Program
    discharges: int
    by_kind: list[tuple[str, int]]
    completed: int
    treated: int
    followups: list[FollowUpRate]
    scores: list[ScoreRow] = field(default_factory=list)

    @property
    def completion_rate(self) -> int | None:
        return round(100 * self.completed / self.treated) if self.treated else None


POINTS = ("intake", "discharge", "day_30", "day_90", "day_180")


def _score_rows(episodes: dict[int, Episode]) -> list[ScoreRow]:
    responses = (
        Response.objects.filter(
            episode_id__in=list(episodes), status=ResponseStatus.FINAL, total__isnull=False
        )
        .values_list(
            "episode_id",
            "instrument_code",
            "total",
            "completed_at",
            "administration__phase",
            "administration__period_start",
        )
        .order_by("completed_at", "id")
    )
    # (episode, code) -> scores in treatment [(total, phase)] and at follow-ups {point: total}
    treatment: dict[tuple[int, str], list[tuple[float, str | None]]] = defaultdict(list)
    points: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    for episode_id, code, total, _, phase, period in responses:
        key = (episode_id, code)
        episode = episodes[episode_id]
        if total is None:
            continue
        if phase == Phase.FOLLOWUP:
            offset = (period - episode.discharged_on).days if episode.discharged_on else None
            if offset in FOLLOWUP_DAYS:
                points[key][f"day_{offset}"] = total
            continue
        treatment[key].append((total, phase))
    for key, scores in treatment.items():
        points[key]["intake"] = scores[0][0]
        at_discharge = [t for t, phase in scores if phase == Phase.DISCHARGE]
        if at_discharge:
            points[key]["discharge"] = at_discharge[-1]
        elif len(scores) > 1:
            points[key]["discharge"] = scores[-1][0]
    by_code: dict[str, list[dict[str, float]]] = defaultdict(list)
    for (_, code), got in points.items():
        by_code[code].append(got)
    rows = []
    for code in sorted(by_code):
        instrument = _instrument(code)
        if instrument is None:
            continue
        rule = rule_from_definition(instrument)
        values: dict[str, list[float]] = {p: [] for p in POINTS}
        row = ScoreRow(code=code, means={}, counts={})
        for got in by_code[code]:
            for p in POINTS:
                if p in got:
                    values[p].append(got[p])
            if "intake" in got and "discharge" in got:
                result = outcome(got["intake"], got["discharge"], rule)
                if result is not None:
                    row.paired += 1
                    row.improved += int(result in (Outcome.IMPROVED, Outcome.RECOVERED))
        row.means = {p: round(mean(v), 1) if v else None for p, v in values.items()}
        row.counts = {p: len(v) for p, v in values.items()}
        rows.append(row)
    return rows


def program_outcomes(user: User, *, since: date) -> list[ProgramOutcomes]:
    """Per visible program: discharges since `since` by kind, completion rate, follow-up
    response rates, mean scores at each point and the share reliably improved. Aggregates only;
    four queries a program."""
    result = []
    for program in _visible_programs(user).order_by("name"):
        episodes = {
            e.pk: e
            for e in Episode.objects.filter(
                program=program, status=EpisodeStatus.DISCHARGED, discharged_on__gte=since
            ).only("pk", "discharge_kind", "discharged_on", "admitted_on")
        }
        kinds = Counter(e.discharge_kind or "" for e in episodes.values())
        labels = dict(DischargeKind.choices)
        by_kind = [(str(labels.get(k, "Not recorded")), n) for k, n in kinds.most_common()]
        treated = [
            e
            for e in episodes.values()
            if e.admitted_on is not None and e.discharge_kind != DischargeKind.NOT_ADMITTED
        ]
        statuses: dict[int, Counter[str]] = defaultdict(Counter)
        for offset, status in FollowUp.objects.filter(episode_id__in=list(episodes)).values_list(
            "day_offset", "status"
        ):
            statuses[offset][status] += 1
        rates = [
            FollowUpRate(
                day_offset=offset,
                answered=statuses[offset][FollowUpStatus.COMPLETED],
                closed=statuses[offset][FollowUpStatus.COMPLETED]
                + statuses[offset][FollowUpStatus.MISSED],
                open=statuses[offset][FollowUpStatus.PENDING]
                + statuses[offset][FollowUpStatus.DUE],
                declined=statuses[offset][FollowUpStatus.DECLINED],
            )
            for offset in FOLLOWUP_DAYS
        ]
        result.append(
            ProgramOutcomes(
                program=program,
                discharges=len(episodes),
                by_kind=by_kind,
                completed=sum(1 for e in treated if e.discharge_kind == DischargeKind.COMPLETED),
                treated=len(treated),
                followups=rates,
                scores=_score_rows(episodes) if episodes else [],
            )
        )
    return result


def followups_to_prompt(user: User) -> list[FollowUp]:
    """Follow-ups due now in the user's programs, for staff to remind the participant."""
    return list(
        FollowUp.objects.filter(
            status=FollowUpStatus.DUE, episode__program__in=_visible_programs(user)
        )
        .select_related("participant", "episode__program")
        .order_by("due_on", "id")[:50]
    )
