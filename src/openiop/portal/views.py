"""Participant- and family-facing pages: phone-first, the crisis banner on every page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openiop.accounts.policy import family, portal
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import family_consents_for, portal_participant
from openiop.participants.models import OPEN_STATUSES, ConsentScope


@portal
def home(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request)
    episode = (
        participant.episodes.filter(status__in=OPEN_STATUSES)
        .select_related("program", "program__site", "track", "primary_clinician")
        .order_by("-inquiry_on")
        .first()
    )
    today = today_in(episode.program.time_zone) if episode else timezone.localdate()
    context = {
        "participant": participant,
        "episode": episode,
        "week": episode.week_number(today) if episode else None,
        "today": today,
    }
    return render(request, "portal/home.html", context)


@family
def family_home(request: AuthedRequest) -> HttpResponse:
    consents = family_consents_for(request)
    by_participant: dict[int, dict[str, object]] = {}
    for consent in consents:
        entry = by_participant.setdefault(
            consent.participant_id, {"participant": consent.participant, "scopes": set()}
        )
        scopes = entry["scopes"]
        assert isinstance(scopes, set)
        scopes.add(consent.scope)
    shared = []
    for entry in by_participant.values():
        participant = entry["participant"]
        scopes = entry["scopes"]
        assert isinstance(scopes, set)
        episode = None
        if ConsentScope.PROGRAM_CONTACT in scopes:
            episode = (
                participant.episodes.filter(status__in=OPEN_STATUSES)  # type: ignore[attr-defined]
                .select_related("program", "program__site", "primary_clinician")
                .first()
            )
        shared.append({"participant": participant, "scopes": scopes, "episode": episode})
    return render(request, "portal/family_home.html", {"shared": shared, "scope": ConsentScope})
