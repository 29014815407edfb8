"""Reads of treatment plans and relapse prevention plans, for this app's pages and for other
apps (notes link objectives, discharge checks the relapse plan). Each runs a fixed number of
queries however many versions a participant has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openiop.accounts.roles import Perm, Role
from openiop.care.models import (
    RELAPSE_SECTIONS,
    PlanReview,
    PlanStatus,
    ProposalStatus,
    RelapsePlanProposal,
    RelapsePlanStatus,
    RelapsePreventionPlan,
    TreatmentPlan,
)
from openiop.care.services import first_plan_due_on
from openiop.lib.timezones import today_in
from openiop.participants.access import program_ids_for
from openiop.participants.models import (
    IN_TREATMENT_STATUSES,
    CareTeamMember,
    Episode,
    EpisodeStatus,
)

if TYPE_CHECKING:
    from openiop.accounts.models import User

TREE = "problems__goals__objectives__interventions__responsible"
HOME_LIMIT = 15
# Reviews show on the home page this many days before they fall due.
DUE_SOON_DAYS = 7


def current_plan(episode: Episode) -> TreatmentPlan | None:
    """The treatment plan version in effect for an episode, or None."""
    return (
        TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.CURRENT)
        .select_related("clinician_signed_by")
        .first()
    )


def draft_plan(episode: Episode) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.DRAFT)
        .select_related("clinician_signed_by", "supervisor_signed_by")
        .first()
    )


def plan_tree(plan: TreatmentPlan) -> TreatmentPlan:
    """The version with its whole tree loaded (five queries), for pages and the hash."""
    return (
        TreatmentPlan.objects.select_related(
            "episode__program",
            "participant",
            "clinician_signed_by",
            "supervisor_signed_by",
            "created_by",
        )
        .prefetch_related(TREE)
        .get(pk=plan.pk)
    )


def plan_versions(episode: Episode) -> list[TreatmentPlan]:
    return list(
        TreatmentPlan.objects.filter(episode=episode)
        .select_related("clinician_signed_by")
        .order_by("-version")
    )


def plan_reviews(episode: Episode) -> list[PlanReview]:
    return list(
        PlanReview.objects.filter(plan__episode=episode)
        .select_related("plan", "new_plan", "reviewed_by")
        .order_by("-reviewed_on", "-id")
    )


def relapse_plan_current(episode: Episode) -> RelapsePreventionPlan | None:
    """The relapse prevention plan version in use for an episode, or None."""
    return (
        RelapsePreventionPlan.objects.filter(episode=episode, status=RelapsePlanStatus.CURRENT)
        .select_related("agreed_by", "discharge_reviewed_by")
        .first()
    )


def relapse_plan_draft(episode: Episode) -> RelapsePreventionPlan | None:
    return RelapsePreventionPlan.objects.filter(
        episode=episode, status=RelapsePlanStatus.DRAFT
    ).first()


def relapse_versions(episode: Episode) -> list[RelapsePreventionPlan]:
    return list(
        RelapsePreventionPlan.objects.filter(episode=episode)
        .select_related("agreed_by")
        .order_by("-version")
    )


def relapse_proposals(episode: Episode, *, pending_only: bool = False) -> list[RelapsePlanProposal]:
    rows = RelapsePlanProposal.objects.filter(plan__episode=episode).select_related(
        "plan", "decided_by"
    )
    if pending_only:
        rows = rows.filter(status=ProposalStatus.PENDING)
    headings = {key: heading for key, heading, _ in RELAPSE_SECTIONS}
    found = list(rows.order_by("-proposed_at", "-id")[:50])
    for proposal in found:
        # A template-only attribute on the model instance (mypy knows only its fields).
        proposal.heading = headings.get(proposal.section, proposal.section)  # type: ignore[attr-defined]
    return found


def plan_state(plan: TreatmentPlan | None, today: date, *, reviewed: bool = False) -> str:
    """For badges: expired, reviewed (the next version waits for signatures), overdue
    (review), due (within a week), or ok."""
    if plan is None or plan.status != PlanStatus.CURRENT:
        return ""
    if plan.is_expired_on(today):
        return "expired"
    if reviewed:
        return "reviewed"
    if plan.review_due_on and plan.review_due_on < today:
        return "overdue"
    if plan.review_due_on and plan.review_due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "ok"


def objective_changes(plan: TreatmentPlan, previous: TreatmentPlan | None) -> dict[str, Any]:
    """Compare two loaded trees by objective lineage: which objectives are new, changed,
    unchanged, or dropped in `plan` against `previous`."""

    def by_lineage(p: TreatmentPlan | None) -> dict[Any, Any]:
        if p is None:
            return {}
        return {
            o.lineage: o
            for problem in p.problems.all()
            for goal in problem.goals.all()
            for o in goal.objectives.all()
        }

    def shape(o: Any) -> tuple[Any, ...]:
        return (
            o.description,
            o.target_on,
            o.measure_kind,
            o.instrument_code,
            o.direction,
            o.threshold,
            o.target_text,
            o.diary_key,
            o.status,
            tuple(
                (i.modality, i.description, i.frequency, i.responsible_id)
                for i in o.interventions.all()
            ),
        )

    new, old = by_lineage(plan), by_lineage(previous)
    state = {}
    for lineage, objective in new.items():
        if lineage not in old:
            state[lineage] = "new"
        elif shape(objective) != shape(old[lineage]):
            state[lineage] = "changed"
        else:
            state[lineage] = "same"
    dropped = [o for lineage, o in old.items() if lineage not in new]
    return {"state": state, "dropped": dropped}


# --- the staff home ----------------------------------------------------------------------------


@dataclass
class HomeRow:
    episode: Episode
    plan: TreatmentPlan | None
    due_on: date | None
    state: str


def _episodes_for_home(user: User) -> QuerySet[Episode]:
    episodes = Episode.objects.filter(
        program_id__in=program_ids_for(user), status__in=IN_TREATMENT_STATUSES
    )
    if not user.can(Perm.PARTICIPANT_SUD):
        episodes = episodes.filter(program__treats_sud=False)
    if user.role != Role.DIRECTOR:
        on_team = CareTeamMember.objects.filter(
            episode=OuterRef("pk"), user=user, until__isnull=True
        )
        episodes = episodes.filter(Q(primary_clinician=user) | Exists(on_team))
    return episodes


def home_lists(user: User) -> dict[str, list[HomeRow]]:
    """The signed-in clinician's plans due or overdue for review, first plans due, and drafts
    waiting for their co-signature; a director sees their programs'. Three bounded queries."""
    if not (user.can(Perm.PARTICIPANT_CLINICAL) and user.role in (Role.CLINICIAN, Role.DIRECTOR)):
        return {"reviews": [], "first": [], "cosign": []}
    episodes = _episodes_for_home(user)
    reviewed = PlanReview.objects.filter(plan=OuterRef("pk"))
    horizon = timezone.localdate() + timedelta(days=DUE_SOON_DAYS + 1)
    reviews = []
    for plan in (
        TreatmentPlan.objects.filter(episode__in=episodes.values("pk"), status=PlanStatus.CURRENT)
        .filter(Q(review_due_on__lte=horizon) | Q(expires_on__lte=horizon))
        .exclude(Exists(reviewed))
        .select_related("episode__program", "episode__participant")
        .order_by("review_due_on", "id")[: HOME_LIMIT * 2]
    ):
        today = today_in(plan.episode.program.time_zone)
        state = plan_state(plan, today)
        if state in ("due", "overdue", "expired"):
            reviews.append(HomeRow(plan.episode, plan, plan.review_due_on, state))
    has_plan = TreatmentPlan.objects.filter(
        episode=OuterRef("pk"), status__in=[PlanStatus.CURRENT, PlanStatus.SUPERSEDED]
    )
    first = []
    for episode in (
        episodes.filter(status__in=[EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE])
        .exclude(Exists(has_plan))
        .select_related("participant", "program")
        .order_by("admitted_on", "id")[:HOME_LIMIT]
    ):
        due = first_plan_due_on(episode)
        today = today_in(episode.program.time_zone)
        state = "overdue" if due and due < today else "due"
        first.append(HomeRow(episode, None, due, state))
    cosign_scope = Q(clinician_signed_by__supervisor=user)
    if user.role == Role.DIRECTOR:
        cosign_scope |= Q(episode__program_id__in=program_ids_for(user))
    waiting = TreatmentPlan.objects.filter(
        cosign_scope,
        status=PlanStatus.DRAFT,
        clinician_signed_at__isnull=False,
        supervisor_signed_at__isnull=True,
        episode__program__plan_cosign_required=True,
        episode__program_id__in=program_ids_for(user),
    ).exclude(clinician_signed_by=user)
    if not user.can(Perm.PARTICIPANT_SUD):
        waiting = waiting.filter(episode__program__treats_sud=False)
    cosign = [
        HomeRow(plan.episode, plan, None, "cosign")
        for plan in waiting.select_related(
            "episode__program", "episode__participant", "clinician_signed_by"
        ).order_by("clinician_signed_at", "id")[:HOME_LIMIT]
    ]
    return {"reviews": reviews[:HOME_LIMIT], "first": first, "cosign": cosign}
