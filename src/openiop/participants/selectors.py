"""Reads used by more than one view."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from openiop.accounts.roles import Perm
from openiop.participants.access import participants_for, program_ids_for
from openiop.participants.models import OPEN_STATUSES, CareTeamMember, Episode, Participant
from openiop.programs.models import Program, Track


def latest_episodes_prefetch(user: Any) -> Prefetch[Any]:
    """Each participant's episodes in the user's own programs, newest first. Episodes in other
    programs stay out of sight: enrolment elsewhere (in a substance-use program above all) is
    not this user's to know."""
    return Prefetch(
        "episodes",
        queryset=Episode.objects.filter(program_id__in=program_ids_for(user))
        .select_related("program", "track", "primary_clinician")
        .order_by("-inquiry_on", "-id"),
    )


def participant_search(
    user: Any, *, query: str = "", status: str = "", track: str = ""
) -> QuerySet[Participant]:
    """The staff participant list: visible participants, filtered, with their episodes
    prefetched so the page runs a fixed number of queries whatever the census."""
    qs = participants_for(user)
    if query:
        for word in query.split()[:4]:
            qs = qs.filter(
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(record_number__iexact=word)
            )
    mine = Episode.objects.filter(participant=OuterRef("pk"), program_id__in=program_ids_for(user))
    if status:
        qs = qs.filter(Exists(mine.filter(status=status)))
    if track:
        qs = qs.filter(Exists(mine.filter(track__public_id=track, status__in=OPEN_STATUSES)))
    return qs.prefetch_related(latest_episodes_prefetch(user)).order_by(
        "legal_last_name", "legal_first_name", "id"
    )


def caseload_for(user: Any) -> QuerySet[Episode]:
    """Open episodes where the user is the primary clinician or on the care team.

    Written with EXISTS rather than a join and DISTINCT: PostgreSQL planned the DISTINCT over
    an OR across the care-team join badly (seconds at 500 participants). The episode being in
    one of the user's programs, in their organization, is exactly what makes its participant
    visible (participants_for), so that check needs no second subquery."""
    if not (user.is_authenticated and user.can(Perm.PARTICIPANT_EXISTS)):
        return Episode.objects.none()
    on_team = CareTeamMember.objects.filter(episode=OuterRef("pk"), user=user, until__isnull=True)
    return (
        Episode.objects.filter(
            Q(primary_clinician=user) | Q(Exists(on_team)),
            status__in=OPEN_STATUSES,
            program_id__in=program_ids_for(user),
            organization_id=user.organization_id,
        )
        .select_related("participant", "program", "track", "primary_clinician")
        .order_by("participant__legal_last_name", "participant__legal_first_name", "id")
    )


def open_episodes_count(program: Program | None, track: Track | None) -> int:
    """Open episodes in a program or on a track (programs asks before switching one off)."""
    filters: dict[str, Any] = {}
    if program is not None:
        filters["program"] = program
    if track is not None:
        filters["track"] = track
    return Episode.objects.filter(status__in=OPEN_STATUSES, **filters).count()
