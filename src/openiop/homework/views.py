"""Staff pages of the homework room: the skills library as the program's people read it, and
giving homework from the chart or from a session."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.diary.selectors import visible_episode_ids
from openiop.homework.forms import AssignForm, GroupAssignForm
from openiop.homework.library import lesson_items, program_library, skill_page
from openiop.homework.services import homework_assign
from openiop.lib.forms import apply_errors, form_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import (
    Access,
    chosen_episode,
    level_for,
    may_access,
    participant_for,
    program_ids_for,
)
from openiop.participants.models import OPEN_STATUSES, Episode
from openiop.programs.models import Program
from openiop.scheduling.models import Session
from openiop.skills.library import UnknownItem


def _my_program(request: AuthedRequest) -> Program | None:
    return (
        Program.objects.filter(pk__in=program_ids_for(request.user)).order_by("name", "pk").first()
    )


def _staff_url(item_id: str) -> str:
    return reverse("homework:skill", args=[item_id])


@staff(Perm.PARTICIPANT_EXISTS)
def library(request: AuthedRequest) -> HttpResponse:
    """The library as the first of the viewer's programs shows it (no participant data)."""
    program = _my_program(request)
    lib = program_library(program)
    return render(
        request,
        "homework/library.html",
        {"program": program, "modules": lib.modules(), "situations": lib.situations()},
    )


@staff(Perm.PARTICIPANT_EXISTS)
def skill(request: AuthedRequest, item_id: str) -> HttpResponse:
    lib = program_library(_my_program(request))
    try:
        item = lib.get(item_id)
    except UnknownItem:
        raise Http404("No such skill.") from None
    return render(
        request, "homework/skill.html", {"skill": skill_page(lib, item, "en", _staff_url)}
    )


@staff(Perm.PARTICIPANT_WRITE)
def assign(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """Give one participant homework, from the chart, in the viewer's program."""
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="homework"
    )
    episode, _ = chosen_episode(
        request,
        participant,
        access=Access.CLINICAL,
        object_type="homework",
        statuses=frozenset(OPEN_STATUSES),
    )
    lib = program_library(episode.program)
    today = today_in(episode.program.time_zone)
    form = AssignForm(
        request.POST or None, library=lib, initial={"due_on": today + timedelta(days=7)}
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            homework_assign(
                episode=episode,
                skill_id=form.cleaned_data["skill"],
                due_on=form.cleaned_data["due_on"],
                instructions=form.cleaned_data["instructions"],
                actor=request.user,
            )
            messages.success(request, "Homework given. It is on the participant's portal now.")
            return redirect("participants:chart", public_id=participant.public_id)
    return render(
        request,
        "homework/assign.html",
        {"form": form, "participant": participant, "episode": episode},
        status=400 if form.errors else 200,
    )


@staff(Perm.PARTICIPANT_WRITE)
def session_assign(request: AuthedRequest, session_id: UUID) -> HttpResponse:
    """Give the same homework to people on a session's roster (the facilitator ticks who)."""
    if not request.user.can(Perm.PARTICIPANT_CLINICAL) or request.user.organization_id is None:
        raise Http404("No such session.")
    session = get_object_or_404(
        Session.objects.filter(
            organization_id=request.user.organization_id,
            program_id__in=program_ids_for(request.user),
        ).select_related("program", "session_type", "lesson"),
        public_id=session_id,
    )
    if not may_access(request.user, level_for(Access.CLINICAL, session.program)):
        raise PermissionDenied("Your role does not allow this in this program.")
    episodes = {
        str(e.participant.public_id): e
        for e in Episode.objects.filter(
            program=session.program,
            status__in=OPEN_STATUSES,
            participant__roster_entries__session=session,
        ).select_related("participant", "program")
        if e.pk in visible_episode_ids(request.user, e.participant)
    }
    roster = sorted(
        ((key, e.participant.display_name) for key, e in episodes.items()), key=lambda x: x[1]
    )
    lib = program_library(session.program)
    lesson = [session.lesson] if session.lesson else []
    suggested = lesson_items(lib, lesson)
    today = today_in(session.program.time_zone)
    form = GroupAssignForm(
        request.POST or None,
        library=lib,
        roster=roster,
        initial={
            "due_on": today + timedelta(days=7),
            "skill": suggested[0].id if suggested else None,
            "participants": [key for key, _ in roster],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for key in form.cleaned_data["participants"]:
                    episode = episodes[key]
                    homework_assign(
                        episode=episode,
                        skill_id=form.cleaned_data["skill"],
                        due_on=form.cleaned_data["due_on"],
                        instructions=form.cleaned_data["instructions"],
                        session=session,
                        actor=request.user,
                    )
                    access_record(
                        request=request,
                        action=AccessAction.CREATE,
                        object_type="homework",
                        participant=episode.participant,
                    )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            count = len(form.cleaned_data["participants"])
            messages.success(request, f"Homework given to {count} participant(s).")
            return redirect("scheduling:session_detail", public_id=session.public_id)
    return render(
        request,
        "homework/session_assign.html",
        {"form": form, "session": session, "suggested": suggested},
        status=400 if form.errors else 200,
    )
