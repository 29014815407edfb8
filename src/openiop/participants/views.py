from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openiop.accounts.policy import authenticated, staff
from openiop.accounts.roles import Perm, Role
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, may_access, participant_for, program_ids_for
from openiop.participants.models import EpisodeStatus
from openiop.participants.selectors import caseload_for, participant_search
from openiop.programs.models import Track


@authenticated
def home(request: AuthedRequest) -> HttpResponse:
    """Everyone lands here after sign-in; participants and family go to their portal."""
    user = request.user
    if user.role == Role.PARTICIPANT:
        return redirect("portal:home")
    if user.role == Role.FAMILY:
        return redirect("portal:family_home")
    return staff_home(request)


@staff(Perm.PARTICIPANT_EXISTS)
def _staff_home_with_participants(request: AuthedRequest) -> HttpResponse:
    # Paged so the page (and its audit rows) stay bounded for very large caseloads.
    page = Paginator(caseload_for(request.user), 50).get_page(request.GET.get("page"))
    episodes = list(page.object_list)
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="caseload",
        participants=[e.participant for e in episodes],
    )
    today = timezone.localdate()
    rows = [(e, e.week_number(today)) for e in episodes]
    return render(request, "participants/home.html", {"rows": rows, "page": page})


def staff_home(request: AuthedRequest) -> HttpResponse:
    # The administrator has no participant access: their home is the user and audit tools.
    if not request.user.can(Perm.PARTICIPANT_EXISTS):
        return render(request, "participants/home_admin.html")
    return _staff_home_with_participants(request)


@staff(Perm.PARTICIPANT_EXISTS)
def participant_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in EpisodeStatus.values:
        status = ""
    track = request.GET.get("track", "")
    tracks = Track.objects.filter(program_id__in=program_ids_for(request.user)).select_related(
        "program"
    )
    if track not in {str(t.public_id) for t in tracks}:
        track = ""
    participants = participant_search(request.user, query=query, status=status, track=track)
    page = Paginator(participants, settings.OPENIOP_PAGE_SIZE).get_page(request.GET.get("page"))
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="participant.list",
        participants=page.object_list,
    )
    context = {
        "page": page,
        "query": query,
        "status": status,
        "track": track,
        "statuses": EpisodeStatus.choices,
        "tracks": tracks,
    }
    template = "participants/_list_rows.html" if request.htmx else "participants/list.html"
    return render(request, template, context)


@staff(Perm.PARTICIPANT_EXISTS)
def participant_chart(request: AuthedRequest, public_id: str) -> HttpResponse:
    participant = participant_for(request, public_id, object_type="participant.chart")
    episodes = list(
        participant.episodes.select_related("program", "track", "primary_clinician")
        .prefetch_related("care_team__user")
        .order_by("-inquiry_on", "-id")
    )
    current = next((e for e in episodes if e.is_open), episodes[0] if episodes else None)
    today = timezone.localdate()
    context = {
        "participant": participant,
        "episodes": episodes,
        "current": current,
        "week": current.week_number(today) if current else None,
        "age": participant.age_on(today),
        "family": participant.family_contacts.all(),
        "events": participant.events.select_related("actor")[:50],
        "sees_clinical": may_access(request.user, Access.CLINICAL),
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
    }
    return render(request, "participants/chart.html", context)
