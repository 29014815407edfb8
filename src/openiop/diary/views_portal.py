"""The participant's diary card, reminder choice and the screen after a high-risk entry. Every
lookup goes through portal_participant: there is no way to name another participant."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal
from openiop.diary import hooks
from openiop.diary.forms import DiaryCardForm, ReminderForm
from openiop.diary.models import SKILL_ANCHORS, URGE_ANCHORS, DiaryCard, DiaryReminder
from openiop.diary.services import (
    current_episode,
    diary_card_submit,
    diary_reminder_set,
    emotions_for,
    fillable_days,
    targets_for,
)
from openiop.lib.forms import form_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import portal_participant


@portal
@require_http_methods(["GET", "POST"])
def diary_card(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="diary.card")
    episode = current_episode(participant)
    if episode is None:
        return render(request, "diary/portal_none.html", {"participant": participant})
    days = fillable_days(episode)
    today = today_in(episode.program.time_zone)
    if not days:
        return render(
            request,
            "diary/portal_done.html",
            {"participant": participant, "episode": episode},
        )
    chosen = request.GET.get("day", "")
    try:
        wanted = date.fromisoformat(chosen) if chosen else days[0]
    except ValueError:
        wanted = days[0]
    if wanted not in days:
        wanted = days[0]
    form = DiaryCardForm(
        request.POST or None,
        emotions=emotions_for(episode.program),
        targets=list(targets_for(episode)),
        days=days,
        initial={"day": wanted.isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            filed = diary_card_submit(
                participant=participant,
                day=form.cleaned_data["day"],
                answers=form.answers(),
                actor=request.user,
            )
            if filed.needs_support:
                return redirect("portal:diary_support", public_id=filed.card.public_id)
            messages.success(request, "Thank you. Your card is in.", extra_tags="diary-sent")
            return redirect("portal:home")
    context = {
        "participant": participant,
        "episode": episode,
        "form": form,
        "day": wanted,
        "today": today,
        "missed": [d for d in days if d != wanted],
        "urge_anchors": URGE_ANCHORS,
        "skill_anchors": SKILL_ANCHORS,
    }
    return render(request, "diary/portal_card.html", context)


@portal
def diary_support(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """The calm screen after an entry that reached the team: what to do now, without judgement."""
    participant = portal_participant(request, object_type="diary.support")
    card = (
        DiaryCard.objects.filter(participant=participant, public_id=public_id)
        .select_related("episode__program")
        .first()
    )
    if card is None:
        raise Http404("No such card.")
    context = {
        "participant": participant,
        "program": card.episode.program,
        # Whether the team was told, and the safety plan to show (safety/panels.py).
        **hooks.support_page.context(participant, card),
    }
    return render(request, "diary/portal_support.html", context)


@portal
@require_http_methods(["GET", "POST"])
def diary_reminder(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="diary.reminder")
    current = DiaryReminder.objects.filter(participant=participant).first()
    initial = {
        "enabled": current.enabled if current else False,
        "at": (current.at if current else time(20, 0)).strftime("%H:%M"),
    }
    form = ReminderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            diary_reminder_set(
                participant=participant,
                actor=request.user,
                enabled=form.cleaned_data["enabled"],
                at=form.cleaned_data["at"],
            )
            messages.success(request, "Reminder saved.")
            return redirect("portal:home")
    return render(request, "diary/portal_reminder.html", {"form": form})
