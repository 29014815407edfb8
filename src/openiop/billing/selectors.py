"""Reads of the billing room: the facts the pure core needs, loaded from the rooms below, and
the live figures it computes from them.

Billable days, authorization usage and warnings are never stored: every page computes them
at request time from attendance (scheduling) and notes' signatures (notes), so a recorded
attendance or a signed note changes them at once (the issue forbids a nightly batch). Only
facts are read from notes: the session, the status and who signed, never the text.

`billing_for_episodes` answers for many episodes with a fixed number of queries whatever
their count (the worklist, the clinician's home), `episode_billing` for one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from openiop.accounts.models import SUPERVISOR_ROLES, User
from openiop.billing.authorizations import (
    AuthorizationUsage,
    BillingWarning,
    WarningPolicy,
    authorization_usage,
    authorization_warnings,
)
from openiop.billing.dayrules import (
    Authorization as AuthorizationFact,
)
from openiop.billing.dayrules import (
    AuthorizationExtension,
    BillingCode,
    DayDecision,
    DayRule,
    Hold,
    NoteFact,
    NoteRequirement,
    PartialWeeks,
    ParticipantFacts,
    SessionAttended,
    decide_days,
)
from openiop.billing.models import (
    Authorization,
    Coverage,
    CoverageRank,
    Diagnosis,
    Payer,
    PayerRule,
    ReviewOutcome,
)
from openiop.billing.payers import ProgramKind
from openiop.lib.timezones import local_date, today_in
from openiop.notes.models import ClinicalNote, NoteStatus
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode, EpisodeStatus
from openiop.programs.models import Program
from openiop.scheduling.models import ATTENDED_STATUSES, Attendance

# Hook for the review packet: the medication list is built by the substance-use care room
# (issue 18 is filed with it). Until that room offers a selector, the packet says none is
# recorded; connect it here when it does.
MEDICATIONS_SELECTOR_NAME = "substance_use.selectors.medications_for_episode"


def program_kind(program: Program) -> ProgramKind:
    return ProgramKind.SUBSTANCE_USE if program.treats_sud else ProgramKind.PSYCHIATRIC


def day_rule(rule: PayerRule) -> DayRule:
    """A stored rule as the pure core's DayRule (its checks run here too)."""
    return DayRule(
        code=BillingCode(rule.revenue_code, rule.hcpcs, tuple(rule.modifiers.split())),
        counted_categories=frozenset(rule.counted_categories),
        min_hours_per_day=rule.min_hours_per_day,
        min_days_per_week=rule.min_days_per_week,
        note_requirement=NoteRequirement(rule.note_requirement),
        units_per_day=rule.units_per_day,
        requires_authorization=rule.requires_authorization,
        partial_weeks=PartialWeeks(rule.partial_weeks),
    )


def warning_policy(payer: Payer) -> WarningPolicy:
    return WarningPolicy(
        days_left_threshold=payer.days_left_threshold,
        review_due_within_days=payer.review_due_within_days,
        review_cadence_days=payer.review_cadence_days,
    )


def credentialed(user: User | None) -> bool:
    """A clinician credentialed to bill: a clinician or director with credentials on their
    staff record (licence and degree)."""
    return user is not None and user.role in SUPERVISOR_ROLES and bool(user.credentials.strip())


def authorization_fact(auth: Authorization) -> AuthorizationFact:
    extensions = tuple(
        AuthorizationExtension(
            approved_on=r.reviewed_on,
            additional_units=r.additional_units,
            new_end=r.new_end_on,
        )
        for r in auth.reviews.all()
        if r.outcome == ReviewOutcome.APPROVED
    )
    reviews = [r.next_review_on for r in auth.reviews.all() if r.next_review_on is not None]
    return AuthorizationFact(
        number=auth.number,
        start=auth.start_on,
        end=auth.end_on,
        approved_units=auth.approved_units,
        extensions=extensions,
        next_review_on=reviews[-1] if reviews else auth.next_review_on,
        level_of_care=auth.level_of_care,
    )


@dataclass
class AuthorizationRow:
    authorization: Authorization
    usage: AuthorizationUsage | None


@dataclass
class EpisodeBilling:
    """Everything the billing pages show for one episode, computed now."""

    episode: Episode
    today: date
    coverage: Coverage | None = None
    rule: PayerRule | None = None
    problem: str = ""  # why no day can be decided (no coverage, no rule for this program)
    days: list[DayDecision] = field(default_factory=list)
    authorizations: list[AuthorizationRow] = field(default_factory=list)
    warnings: list[BillingWarning] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)

    @property
    def billable_days(self) -> int:
        return sum(1 for d in self.days if d.billable)

    @property
    def units(self) -> int:
        return sum(d.units for d in self.days)


def _primary_coverage(coverages: Sequence[Coverage], on: date) -> Coverage | None:
    """The primary coverage in force on `on`, else the latest primary one."""
    primary = [c for c in coverages if c.rank == CoverageRank.PRIMARY]
    current = [
        c
        for c in primary
        if c.effective_from <= on and (c.effective_until is None or on <= c.effective_until)
    ]
    pool = current or primary
    return max(pool, key=lambda c: c.effective_from) if pool else None


def _episode_end(episode: Episode, today: date) -> date:
    return episode.discharged_on if episode.discharged_on is not None else today


def billing_for_episodes(
    episodes: Sequence[Episode], *, today: date | None = None, diagnoses_too: bool = True
) -> list[EpisodeBilling]:
    """Live billing figures for each episode, in the order given: at most seven queries
    whatever the number of episodes (coverage, rules, authorizations and their reviews,
    diagnoses, attendance, notes), one when nobody has coverage and diagnoses are not asked
    for (the shared pages). `today` defaults to each program's own today."""
    if not episodes:
        return []
    participant_ids = {e.participant_id for e in episodes}
    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for c in Coverage.objects.filter(participant_id__in=participant_ids).select_related("payer"):
        coverages[c.participant_id].append(c)
    if not coverages and not diagnoses_too:
        return [
            EpisodeBilling(
                episode=e,
                today=today or today_in(e.program.time_zone),
                problem="no coverage on file",
            )
            for e in episodes
        ]
    episode_ids = [e.pk for e in episodes]
    payer_ids = {c.payer_id for cs in coverages.values() for c in cs}
    rules = {
        (r.payer_id, r.program_kind): r
        for r in (PayerRule.objects.filter(payer_id__in=payer_ids) if payer_ids else ())
    }
    auths: dict[int, list[Authorization]] = defaultdict(list)
    for a in (
        Authorization.objects.filter(episode_id__in=episode_ids)
        .select_related("payer")
        .prefetch_related("reviews")
    ):
        auths[a.episode_id].append(a)
    diagnoses: dict[int, list[Diagnosis]] = defaultdict(list)
    if diagnoses_too:
        for d in Diagnosis.objects.filter(episode_id__in=episode_ids, removed_at__isnull=True):
            diagnoses[d.episode_id].append(d)
    sessions: dict[int, list[SessionAttended]] = defaultdict(list)
    session_ids: set[int] = set()
    tz = {e.pk: e.program.time_zone for e in episodes}
    for att in Attendance.objects.filter(
        episode_id__in=episode_ids, status__in=ATTENDED_STATUSES
    ).select_related("session__session_type"):
        session = att.session
        st = session.session_type
        session_ids.add(session.pk)
        sessions[att.episode_id].append(
            SessionAttended(
                session_id=str(session.pk),
                day=local_date(session.starts_at, tz[att.episode_id]),
                category=st.category,
                label=st.name,
                minutes=att.minutes,
                counts_toward_hours=st.counts_toward_hours,
            )
        )
    notes_by_session: dict[int, list[ClinicalNote]] = defaultdict(list)
    for note in notes_for_sessions(session_ids) if session_ids else ():
        assert note.session_id is not None
        notes_by_session[note.session_id].append(note)

    result = []
    for episode in episodes:
        now = today or today_in(episode.program.time_zone)
        eb = EpisodeBilling(episode=episode, today=now, diagnoses=diagnoses[episode.pk])
        result.append(eb)
        eb.coverage = _primary_coverage(coverages[episode.participant_id], now)
        episode_auths = auths[episode.pk]
        if eb.coverage is None:
            eb.problem = "no coverage on file"
            eb.authorizations = [AuthorizationRow(a, None) for a in episode_auths]
            continue
        eb.rule = rules.get((eb.coverage.payer_id, program_kind(episode.program).value))
        if eb.rule is None:
            eb.problem = (
                f"{eb.coverage.payer} has no billing rule for "
                f"{program_kind(episode.program).value.replace('_', ' ')} programs"
            )
            eb.authorizations = [AuthorizationRow(a, None) for a in episode_auths]
            continue
        payer_auths = [a for a in episode_auths if a.payer_id == eb.coverage.payer_id]
        facts = _facts(episode, sessions[episode.pk], notes_by_session, payer_auths, now)
        rule = day_rule(eb.rule)
        policy = warning_policy(eb.coverage.payer)
        first = min([facts.enrolled_from, *(s.day for s in facts.sessions)])
        eb.days = decide_days(rule, facts, start=first, end=_episode_end(episode, now))
        usage = {
            u.number: u for u in authorization_usage(rule, facts.authorizations, eb.days, policy)
        }
        eb.authorizations = [AuthorizationRow(a, usage.get(a.number)) for a in episode_auths]
        eb.warnings = authorization_warnings(rule, facts, eb.days, today=now, policy=policy)
    return result


def notes_for_sessions(session_ids: Iterable[int]) -> QuerySet[ClinicalNote]:
    """Only the facts billing reads from notes: never a field holding text."""
    return (
        ClinicalNote.objects.filter(session_id__in=list(session_ids))
        .only("pk", "session_id", "status", "signed_by", "cosigned_by")
        .select_related("signed_by", "cosigned_by")
    )


def _facts(
    episode: Episode,
    sessions: list[SessionAttended],
    notes_by_session: dict[int, list[ClinicalNote]],
    auths: list[Authorization],
    today: date,
) -> ParticipantFacts:
    notes = []
    for s in sessions:
        for note in notes_by_session.get(int(s.session_id), ()):
            signed = note.status == NoteStatus.SIGNED
            notes.append(
                NoteFact(
                    day=s.day,
                    session_id=s.session_id,
                    signed=signed,
                    credentialed=signed
                    and (credentialed(note.signed_by) or credentialed(note.cosigned_by)),
                )
            )
    holds: tuple[Hold, ...] = ()
    if episode.status == EpisodeStatus.ON_HOLD and episode.hold_since is not None:
        holds = (Hold(start=episode.hold_since),)
    enrolled_from = episode.admitted_on or episode.started_on or today
    return ParticipantFacts(
        enrolled_from=enrolled_from,
        enrolled_until=episode.discharged_on,
        sessions=tuple(sessions),
        notes=tuple(notes),
        holds=holds,
        authorizations=tuple(authorization_fact(a) for a in auths),
    )


def episode_billing(episode: Episode, *, today: date | None = None) -> EpisodeBilling:
    return billing_for_episodes([episode], today=today)[0]


def worklist_episodes(program_ids: Iterable[int]) -> QuerySet[Episode]:
    """Episodes the billing worklist follows: in treatment, or discharged in the last 60 days
    (their last claims and authorizations still need work)."""
    return (
        Episode.objects.filter(program_id__in=list(program_ids))
        .filter(
            Q(status__in=IN_TREATMENT_STATUSES)
            | Q(status=EpisodeStatus.DISCHARGED, discharged_on__isnull=False)
        )
        .select_related("participant", "program")
        .order_by("participant__legal_last_name", "participant__legal_first_name", "pk")
    )


def recent(episodes: Iterable[Episode], today: date, *, days: int = 60) -> list[Episode]:
    return [
        e
        for e in episodes
        if e.status != EpisodeStatus.DISCHARGED
        or (e.discharged_on is not None and (today - e.discharged_on).days <= days)
    ]


def payers_for(organization_id: int) -> QuerySet[Payer]:
    return Payer.objects.filter(organization_id=organization_id).prefetch_related("rules")


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def admission_warnings(episode: Episode) -> list[str]:
    """What admission should know about billing: no coverage, or a payer that requires prior
    authorization for this kind of program with none on file for the episode."""
    today = today_in(episode.program.time_zone)
    coverage = _primary_coverage(
        list(
            Coverage.objects.filter(participant_id=episode.participant_id).select_related("payer")
        ),
        episode.admitted_on or today,
    )
    if coverage is None:
        return ["No coverage is on file: record the participant's insurance before billing."]
    kind = program_kind(episode.program)
    rule = PayerRule.objects.filter(payer_id=coverage.payer_id, program_kind=kind.value).first()
    if rule is None:
        return [
            f"{coverage.payer.name} has no billing rule for "
            f"{kind.value.replace('_', ' ')} programs: no day can be billed."
        ]
    if (
        rule.requires_authorization
        and not Authorization.objects.filter(episode=episode, payer_id=coverage.payer_id).exists()
    ):
        return [
            f"{coverage.payer.name} requires prior authorization and none is on file for this "
            "episode: days before one is recorded cannot be billed."
        ]
    return []
