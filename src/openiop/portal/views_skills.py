"""The participant's skills library and practice: the library as their program shows it, this
week's skills in group first, and logging practice of a skill or of homework."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.homework.forms import LanguageForm, PracticeForm
from openiop.homework.library import lesson_items, program_library, skill_page, week_in_group
from openiop.homework.models import PortalLanguage
from openiop.homework.selectors import portal_assignment, portal_homework
from openiop.homework.services import practice_log
from openiop.lib.forms import form_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import portal_participant
from openiop.participants.models import OPEN_STATUSES, Episode, Participant
from openiop.scheduling.curriculum import curriculum_record
from openiop.skills.library import SITUATION_KEYS, Item, UnknownItem, normalize_language
from openiop.skills.library import situation as situation_of


def current_episode(participant: Participant) -> Episode:
    episode = (
        participant.episodes.filter(status__in=OPEN_STATUSES)
        .select_related("program", "participant")
        .order_by("-inquiry_on")
        .first()
    )
    if episode is None:
        raise Http404("No open episode.")
    return episode


def portal_participant_skills(request: AuthedRequest) -> Participant:
    return portal_participant(request, object_type="portal.skills")


def _language() -> str:
    return normalize_language(get_language())


def _url(item_id: str) -> str:
    return reverse("portal:skill", args=[item_id])


def _names(items: list[Item], language: str) -> list[tuple[str, str, str]]:
    return [(i.id, i.page(language).name, i.page(language).summary) for i in items]


@portal
@require_http_methods(["GET"])
def skills(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant_skills(request)
    episode = current_episode(participant)
    library = program_library(episode.program)
    language = _language()
    today = today_in(episode.program.time_zone)
    query = request.GET.get("q", "").strip()[:100]
    wanted = request.GET.get("situation", "")
    record = curriculum_record(episode, today=today)
    week = week_in_group(episode.program, library, today)
    covered = lesson_items(library, [mark.lesson for mark in record.attended]) if record else []
    context = {
        "language": language,
        "query": query,
        "hits": _names([h.item for h in library.search(query, language=language)], language)
        if query
        else None,
        "situation": situation_of(wanted).label(language) if wanted in SITUATION_KEYS else "",
        "right_now": _names(library.for_situation(wanted), language)
        if wanted in SITUATION_KEYS
        else [],
        "situations": [(s.key, s.label(language)) for s, _items in library.situations()],
        "week": week,
        "week_items": _names(week.items, language) if week else [],
        "covered": _names(covered, language),
        "modules": [
            (module.label(language), _names(items, language)) for module, items in library.modules()
        ],
        "homework": [
            row
            for row in portal_homework(participant, library, language, today=today)
            if not row.done
        ],
    }
    return render(request, "portal/skills.html", context)


@portal
@require_http_methods(["GET"])
def skill(request: AuthedRequest, item_id: str) -> HttpResponse:
    participant = portal_participant_skills(request)
    episode = current_episode(participant)
    library = program_library(episode.program)
    language = _language()
    today = today_in(episode.program.time_zone)
    rows = [
        row
        for row in portal_homework(participant, library, language, today=today)
        if row.assignment.skill_id == item_id
    ]
    try:
        # Homework given before the program hid an item still opens it.
        item = library.get(item_id, include_hidden=bool(rows))
    except UnknownItem:
        raise Http404("No such skill.") from None
    context = {
        "skill": skill_page(library, item, language, _url),
        "homework": rows,
    }
    return render(request, "portal/skill.html", context)


@portal
@require_http_methods(["GET", "POST"])
def practice(request: AuthedRequest, item_id: str) -> HttpResponse:
    """Log practising a skill: of a homework (named by ?homework=) or on one's own."""
    participant = portal_participant_skills(request)
    episode = current_episode(participant)
    library = program_library(episode.program)
    language = _language()
    wanted = request.POST.get("homework") or request.GET.get("homework")
    assignment = portal_assignment(participant, wanted) if wanted else None
    if assignment is not None and assignment.skill_id != item_id:
        raise Http404("No such homework.")
    try:
        item = library.get(item_id, include_hidden=assignment is not None)
    except UnknownItem:
        raise Http404("No such skill.") from None
    form = PracticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            practice_log(
                episode=assignment.episode if assignment else episode,
                assignment=assignment,
                skill_id=item.id,
                outcome=form.cleaned_data["outcome"],
                helpful=form.cleaned_data["helpful"],
                note=form.cleaned_data["note"],
                practised_on=today_in(episode.program.time_zone),
            )
            access_record(
                request=request,
                action=AccessAction.CREATE,
                object_type="portal.practice",
                participant=participant,
            )
            messages.success(request, _("Practice saved. Your care team will see it."))
            return redirect("portal:skills")
    context = {
        "form": form,
        "item_id": item.id,
        "name": item.page(language).name,
        "assignment": assignment,
    }
    return render(request, "portal/practice.html", context, status=400 if form.errors else 200)


@portal
@require_http_methods(["GET", "POST"])
def language(request: AuthedRequest) -> HttpResponse:
    """The participant chooses the portal's language; stored on their account."""
    portal_participant(request, object_type="portal.language", alumni=True)
    current = PortalLanguage.objects.filter(user=request.user).first()
    form = LanguageForm(
        request.POST or None, initial={"language": current.language if current else "en"}
    )
    if request.method == "POST" and form.is_valid():
        PortalLanguage.objects.update_or_create(
            user=request.user,
            defaults={"language": form.cleaned_data["language"], "updated_at": timezone.now()},
        )
        return redirect("portal:home")
    return render(request, "portal/language.html", {"form": form})
