"""Drug and alcohol testing pages: an episode's results timeline with the form to record a
collection and the open follow-ups; a program's laboratory file import. Only programs that
treat substance use test; their results are Part 2 records, read at the SUD level."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openiop.accounts.models import Role
from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.forms import form_errors, form_page, message_errors
from openiop.lib.http import AuthedRequest
from openiop.participants.access import (
    Access,
    level_for,
    may_access,
    participant_for,
    program_check,
    program_ids_for,
)
from openiop.participants.models import Episode, Participant
from openiop.programs.models import Program
from openiop.substance_use import draws, testing
from openiop.substance_use.forms import (
    USUAL_CUP,
    DrugTestForm,
    FollowUpCloseForm,
    LabFileForm,
    TestingPolicyForm,
)
from openiop.substance_use.models import FollowUpStatus, TestFollowUp, TestingPolicy
from openiop.substance_use.services import RECORDING_ROLES

OBJECT_TYPE = "substance_use.tests"


def _may_record(request: AuthedRequest) -> bool:
    return request.user.can(Perm.PARTICIPANT_WRITE) and request.user.role in RECORDING_ROLES


def _episode(request: AuthedRequest, participant: Participant, episode_id: UUID) -> Episode:
    episode = (
        Episode.objects.filter(
            participant=participant,
            public_id=episode_id,
            program_id__in=program_ids_for(request.user),
        )
        .select_related("program", "primary_clinician")
        .first()
    )
    if episode is None:
        raise Http404("No such episode in your programs.")
    program_check(
        request, participant, episode.program, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    if not episode.program.treats_sud:
        raise Http404("This program does not test for substances.")
    return episode


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def tests(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    """The results timeline; POST records a collection, or closes a follow-up."""
    writing = request.method == "POST"
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=writing, object_type=OBJECT_TYPE
    )
    episode = _episode(request, participant, episode_id)
    if writing and not _may_record(request):
        raise PermissionDenied("Only clinicians and directors record tests.")
    here = reverse("substance_use:tests", args=[participant.public_id, episode.public_id])
    if writing and "follow_up" in request.POST:
        wanted = _uuid(request.POST["follow_up"])
        follow_up = (
            TestFollowUp.objects.filter(episode=episode, public_id=wanted).first()
            if wanted
            else None
        )
        if follow_up is None:
            raise Http404("No such follow-up.")
        close = FollowUpCloseForm(request.POST)
        with message_errors(request):
            if not close.is_valid():
                messages.error(request, "Say in a few words what was talked over.")
                return redirect(here)
            testing.follow_up_close(
                actor=request.user, follow_up=follow_up, note=close.cleaned_data["note"]
            )
            messages.success(request, "Follow-up closed.")
        return redirect(here)
    form = DrugTestForm(request.POST or None, initial={"tested": USUAL_CUP})
    if writing and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            testing.drug_test_record(
                actor=request.user,
                episode=episode,
                custody_id=data["custody_id"],
                specimen=data["specimen"],
                reason=data["reason"],
                outcome=data["outcome"],
                observed=data["observed"],
                collected_at=data["collected_at"],
                note=data["note"],
                tested=data["tested"],
                positive=data["positive"],
            )
            messages.success(request, "Test recorded.")
            return redirect(here)
    return form_page(
        request,
        "substance_use/tests.html",
        form,
        participant=participant,
        episode=episode,
        readings=testing.readings_for_episode(episode),
        follow_ups=TestFollowUp.objects.filter(episode=episode, status=FollowUpStatus.OPEN)
        .select_related("test", "assigned_to")
        .order_by("opened_at"),
        close_form=FollowUpCloseForm(),
        can_write=_may_record(request) and episode.is_open,
    )


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _sud_program(request: AuthedRequest, program_id: UUID) -> Program:
    """One of the viewer's programs that treats substance use, whose Part 2 records they
    read: 404 for any other program, 403 without SUD access."""
    program = Program.objects.filter(
        public_id=program_id, pk__in=program_ids_for(request.user)
    ).first()
    if program is None or not program.treats_sud:
        raise Http404("No such program.")
    if not may_access(request.user, level_for(Access.CLINICAL, program)):
        raise PermissionDenied("Substance-use treatment records need SUD access.")
    return program


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def lab_import(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    """A laboratory's result file for the program's collections: all or nothing."""
    program = _sud_program(request, program_id)
    writing = request.method == "POST"
    if writing and not _may_record(request):
        raise PermissionDenied("Only clinicians and directors import results.")
    form = LabFileForm(request.POST or None, request.FILES or None)
    if writing and form.is_valid():
        upload = form.cleaned_data["file"]
        with form_errors(form):
            if upload.size > 5 * 1024 * 1024:
                raise ValidationError("The file is over 5 MB.")
            done = testing.lab_file_import(actor=request.user, program=program, data=upload.read())
            access_record_many(
                request=request,
                action=AccessAction.UPDATE,
                object_type=OBJECT_TYPE,
                participants=done.participants,
            )
            messages.success(
                request,
                f"Imported {done.added} results for {done.tests} tests"
                + (f"; {done.unchanged} rows were already recorded." if done.unchanged else "."),
            )
            return redirect(reverse("substance_use:lab_import", args=[program.public_id]))
    return form_page(
        request,
        "substance_use/lab_import.html",
        form,
        program=program,
    )


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def program_testing(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    """The program's testing policy (set by its director) and this week's random draw (made
    by any of its clinicians, once; the selected names are Part 2 records)."""
    program = _sud_program(request, program_id)
    writing = request.method == "POST"
    if writing and not _may_record(request):
        raise PermissionDenied("Only clinicians and directors draw.")
    here = reverse("substance_use:program_testing", args=[program.public_id])
    policy = TestingPolicy.objects.filter(program=program).first()
    initial = (
        {
            "specimen_types": policy.specimen_types,
            "testing_days": policy.testing_days,
            "weekly_rate_percent": policy.weekly_rate_percent,
        }
        if policy
        else {"weekly_rate_percent": 25}
    )
    setting = writing and request.POST.get("action") == "policy"
    form = TestingPolicyForm(request.POST if setting else None, initial=initial)
    if setting and form.is_valid():
        with form_errors(form):
            draws.testing_policy_set(
                actor=request.user,
                program=program,
                specimen_types=form.cleaned_data["specimen_types"],
                testing_days=form.cleaned_data["testing_days"],
                weekly_rate_percent=form.cleaned_data["weekly_rate_percent"],
            )
            messages.success(request, "Testing policy saved.")
            return redirect(here)
    if writing and request.POST.get("action") == "draw":
        with message_errors(request):
            draws.testing_draw(actor=request.user, program=program)
            messages.success(request, "This week's random draw is made and recorded.")
        return redirect(here)
    week = draws.week_draw(program)
    if week is not None and week.selections:
        access_record_many(
            request=request,
            action=AccessAction.LIST,
            object_type="substance_use.draw",
            participants=[p for _, p in week.selections],
        )
    return form_page(
        request,
        "substance_use/program_testing.html",
        form,
        program=program,
        policy=policy,
        week=week,
        can_set=request.user.role == Role.DIRECTOR and request.user.can(Perm.PROGRAM_CONFIGURE),
        can_draw=_may_record(request),
    )
