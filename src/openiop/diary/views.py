"""Staff diary pages: the weekly review of a participant's cards and the participant's own
targets. Clinical content: Access.CLINICAL through participant_for."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.diary import hooks
from openiop.diary.forms import EmotionsForm, TargetForm
from openiop.diary.models import DiaryTarget
from openiop.diary.selectors import CHART_H, CHART_W, PAD, diary_review, week_start_of
from openiop.diary.services import (
    diary_emotions_set,
    diary_target_add,
    diary_target_retire,
    emotions_for,
)
from openiop.lib.http import NO_SUCH_ID, AuthedRequest, uuid_or_none
from openiop.lib.timezones import today_in
from openiop.participants.access import (
    Access,
    chosen_episode,
    participant_for,
    treatment_episode_for,
)
from openiop.participants.models import IN_TREATMENT_STATUSES
from openiop.programs.access import program_for


@staff(Perm.PARTICIPANT_CLINICAL)
def review(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type="diary.review"
    )
    # "Today" in one of the viewer's own programs (never read from another program's episode).
    episode = treatment_episode_for(request.user, participant)
    today = today_in(episode.program.time_zone) if episode else timezone.localdate()
    try:
        asked = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        asked = today
    week_start = week_start_of(min(asked, today))
    data = diary_review(
        user=request.user, participant=participant, week_start=week_start, today=today
    )
    context = {
        "participant": participant,
        "episode": episode,
        "review": data,
        "previous_week": week_start - timedelta(weeks=1),
        "next_week": week_start + timedelta(weeks=1)
        if week_start + timedelta(weeks=1) <= today
        else None,
        "chart": {
            "w": CHART_W,
            "h": CHART_H,
            "pad": PAD,
            "bottom": CHART_H - PAD,
            "right": CHART_W - PAD,
        },
        "grid_lines": [
            (round(CHART_H - PAD - v / 5 * (CHART_H - 2 * PAD), 1), v) for v in range(0, 6)
        ],
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
        **hooks.review_page.context(request, participant, episode, week_start),
    }
    return render(request, "diary/review.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def targets(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="diary.targets"
    )
    # The program whose card is set up: named with ?program=, or the viewer's one in treatment.
    episode, programs = chosen_episode(
        request,
        participant,
        access=Access.CLINICAL,
        object_type="diary.targets",
        statuses=IN_TREATMENT_STATUSES,
    )
    form = TargetForm(request.POST or None)
    if request.method == "POST" and "retire" in request.POST:
        target = DiaryTarget.objects.filter(
            participant=participant,
            program=episode.program,
            public_id=uuid_or_none(request.POST.get("retire")) or NO_SUCH_ID,
        ).first()
        if target is None:
            raise Http404("No such target.")
        diary_target_retire(target=target, actor=request.user)
        messages.success(request, "Target taken off the card.")
        return redirect(request.get_full_path())
    if request.method == "POST" and form.is_valid():
        try:
            diary_target_add(
                program=episode.program,
                actor=request.user,
                participant=participant,
                **form.cleaned_data,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Target added to the participant's card.")
            return redirect(request.get_full_path())
    context = {
        "participant": participant,
        "episode": episode,
        "programs": programs,
        "form": form,
        "own": DiaryTarget.objects.filter(
            participant=participant, program=episode.program, is_active=True
        ),
        "program_targets": DiaryTarget.objects.filter(
            participant__isnull=True, program=episode.program, is_active=True
        ),
    }
    return render(request, "diary/targets.html", context)


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def program_settings(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    """The program's emotion list and its card-wide targets."""
    program = program_for(request.user, program_id)
    emotions_form = EmotionsForm(
        request.POST if "emotions" in request.POST else None,
        initial={"emotions": "\n".join(emotions_for(program))},
    )
    target_form = TargetForm(request.POST if "name" in request.POST else None)
    if request.method == "POST":
        if "retire" in request.POST:
            target = DiaryTarget.objects.filter(
                program=program,
                participant__isnull=True,
                public_id=uuid_or_none(request.POST.get("retire")) or NO_SUCH_ID,
            ).first()
            if target is None:
                raise Http404("No such target.")
            diary_target_retire(target=target, actor=request.user)
            messages.success(request, "Target taken off the card.")
            return redirect(request.get_full_path())
        form = emotions_form if emotions_form.is_bound else target_form
        if form.is_valid():
            try:
                if form is emotions_form:
                    diary_emotions_set(
                        program=program,
                        actor=request.user,
                        emotions=form.cleaned_data["emotions"].splitlines(),
                    )
                else:
                    diary_target_add(program=program, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Diary card settings saved.")
                return redirect(request.get_full_path())
    context = {
        "program": program,
        "emotions_form": emotions_form,
        "target_form": target_form,
        "program_targets": DiaryTarget.objects.filter(
            participant__isnull=True, program=program, is_active=True
        ),
        "rules_url": reverse("safety:rules", args=[program.public_id]),
    }
    return render(request, "diary/program_settings.html", context)
