"""The participant's own progress page (portal/progress.py), in their current program."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import portal_participant
from openiop.portal.progress import my_progress
from openiop.portal.views_skills import current_episode
from openiop.skills.library import normalize_language


@portal
@require_http_methods(["GET"])
def progress(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="portal.progress")
    episode = current_episode(participant)
    today = today_in(episode.program.time_zone)
    context = {
        "episode": episode,
        "progress": my_progress(episode, today, normalize_language(get_language())),
    }
    return render(request, "portal/progress.html", context)
