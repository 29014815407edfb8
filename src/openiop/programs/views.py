"""Program configuration for directors: sites, programs, tracks, rooms and session types.

Every object is fetched through programs/access.py; the views only parse, call one write
function and redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.lib.forms import form_errors, write_page
from openiop.lib.http import AuthedRequest
from openiop.programs import services
from openiop.programs.access import (
    organization_for,
    program_for,
    programs_for,
    room_for,
    session_type_for,
    site_for,
    sites_for,
    track_for,
)
from openiop.programs.forms import (
    DocumentationSettingsForm,
    ProgramEditForm,
    ProgramForm,
    RoomEditForm,
    RoomForm,
    SessionTypeEditForm,
    SessionTypeForm,
    SiteForm,
    TrackEditForm,
    TrackForm,
    time_zone_names,
)
from openiop.programs.models import Program, Room, SessionType, Track

configure = staff(Perm.PROGRAM_CONFIGURE)


def _active_first(model: Any, *order: str) -> Any:
    return model.objects.order_by("-is_active", *order)


@configure
@require_GET
def program_list(request: AuthedRequest) -> HttpResponse:
    """Sites with the user's programs, each with its tracks and session types, and the
    site's rooms: a fixed number of queries however many there are."""
    programs = programs_for(request.user).prefetch_related(
        Prefetch("tracks", queryset=_active_first(Track, "start_time", "name")),
        Prefetch("session_types", queryset=_active_first(SessionType, "name")),
    )
    sites = sites_for(request.user).prefetch_related(
        Prefetch("programs", queryset=programs.order_by("-is_active", "name"), to_attr="mine"),
        Prefetch("rooms", queryset=_active_first(Room, "name")),
    )
    return render(request, "programs/list.html", {"sites": sites})


@configure
@require_GET
def program_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    context = {
        "program": program,
        "tracks": _active_first(Track, "start_time", "name").filter(program=program),
        "session_types": _active_first(SessionType, "name").filter(program=program),
        "rooms": _active_first(Room, "name").filter(site=program.site),
    }
    return render(request, "programs/detail.html", context)


def save_page(
    request: AuthedRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    done_url: str,
    heading: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The configuration pages' GET/POST cycle: on a valid POST call the write function; its
    ValidationError re-renders the form with the message and nothing saved."""
    page = {"heading": heading, "cancel_url": done_url, **(context or {})}
    return write_page(
        request, "programs/form.html", form, write=save, success=success, done_url=done_url, **page
    )


def _list_url(anchor: str = "") -> str:
    return reverse("programs:list") + (f"#{anchor}" if anchor else "")


def _detail_url(program: Program) -> str:
    return reverse("programs:detail", args=[program.public_id])


# Sites -------------------------------------------------------------------------------------


@configure
@require_http_methods(["GET", "POST"])
def site_create(request: AuthedRequest) -> HttpResponse:
    organization = organization_for(request.user)
    form = SiteForm(request.POST or None)
    return save_page(
        request,
        form,
        save=lambda data: services.site_create(organization=organization, **data),
        success="Site added.",
        done_url=_list_url(),
        heading="Add a site",
    )


@configure
@require_http_methods(["GET", "POST"])
def site_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    site = site_for(request.user, public_id)
    form = SiteForm(request.POST or None, initial=SiteForm.initial_for(site))
    return save_page(
        request,
        form,
        save=lambda data: services.site_update(site=site, **data),
        success="Site saved.",
        done_url=_list_url(f"site-{site.public_id}"),
        heading=f"Edit site: {site.name}",
    )


# Programs ----------------------------------------------------------------------------------


def _program_form_context() -> dict[str, Any]:
    return {"time_zones": time_zone_names()}


@configure
@require_http_methods(["GET", "POST"])
def program_create(request: AuthedRequest) -> HttpResponse:
    sites = sites_for(request.user)
    initial: dict[str, Any] = {}
    wanted = _uuid_or_none(request.GET.get("site"))
    chosen = sites.filter(public_id=wanted).first() if wanted else None
    if chosen is not None:
        initial["site"] = chosen.public_id
    form = ProgramForm(request.POST or None, initial=initial, sites=sites)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            program = services.program_create(created_by=request.user, **form.cleaned_data)
            messages.success(request, "Program added. You are assigned to it.")
            return redirect(_detail_url(program))
    context = {
        "form": form,
        "heading": "Add a program",
        "cancel_url": _list_url(),
        "no_sites": not sites.exists(),
        **_program_form_context(),
    }
    return render(request, "programs/form.html", context)


@configure
@require_http_methods(["GET", "POST"])
def program_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    form = ProgramEditForm(
        request.POST or None,
        initial=ProgramForm.initial_for(program),
        sites=sites_for(request.user),
    )
    return save_page(
        request,
        form,
        save=lambda data: services.program_update(program=program, **data),
        success="Program saved.",
        done_url=_detail_url(program),
        heading=f"Edit program: {program.name}",
        context=_program_form_context(),
    )


@configure
@require_http_methods(["GET", "POST"])
def program_documentation(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    form = DocumentationSettingsForm(
        request.POST or None, initial=DocumentationSettingsForm.initial_for(program)
    )
    return save_page(
        request,
        form,
        save=lambda data: services.program_documentation_set(program=program, **data),
        success="Documentation settings saved.",
        done_url=_detail_url(program),
        heading=f"Plans and notes: {program.name}",
    )


# Tracks ------------------------------------------------------------------------------------


@configure
@require_http_methods(["GET", "POST"])
def track_create(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    form = TrackForm(request.POST or None)
    return save_page(
        request,
        form,
        save=lambda data: services.track_create(program=program, **data),
        success="Track added.",
        done_url=_detail_url(program),
        heading=f"Add a track to {program.name}",
    )


@configure
@require_http_methods(["GET", "POST"])
def track_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    track = track_for(request.user, public_id)
    form = TrackEditForm(request.POST or None, initial=TrackForm.initial_for(track))
    return save_page(
        request,
        form,
        save=lambda data: services.track_update(track=track, **data),
        success="Track saved.",
        done_url=_detail_url(track.program),
        heading=f"Edit track: {track.name}",
    )


# Rooms -------------------------------------------------------------------------------------


def _uuid_or_none(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _room_done_url(request: AuthedRequest, site_id: int, site_public_id: UUID) -> str:
    """Back to the program page the director came from, if it is theirs and at this site;
    otherwise to the site on the overview."""
    came_from = _uuid_or_none(request.GET.get("program"))
    program = (
        programs_for(request.user).filter(public_id=came_from, site_id=site_id).first()
        if came_from
        else None
    )
    return _detail_url(program) if program else _list_url(f"site-{site_public_id}")


def _room_data(form: RoomForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "features"}
    return {**data, **form.feature_flags()}


@configure
@require_http_methods(["GET", "POST"])
def room_create(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    site = site_for(request.user, public_id)
    form = RoomForm(request.POST or None)
    return save_page(
        request,
        form,
        save=lambda _data: services.room_create(site=site, **_room_data(form)),
        success="Room added.",
        done_url=_room_done_url(request, site.pk, site.public_id),
        heading=f"Add a room at {site.name}",
    )


@configure
@require_http_methods(["GET", "POST"])
def room_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    room = room_for(request.user, public_id)
    form = RoomEditForm(request.POST or None, initial=RoomForm.initial_for(room))
    return save_page(
        request,
        form,
        save=lambda _data: services.room_update(room=room, **_room_data(form)),
        success="Room saved.",
        done_url=_room_done_url(request, room.site_id, room.site.public_id),
        heading=f"Edit room: {room.name}",
    )


# Session types -----------------------------------------------------------------------------


@configure
@require_http_methods(["GET", "POST"])
def session_type_create(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    form = SessionTypeForm(request.POST or None)
    return save_page(
        request,
        form,
        save=lambda data: services.session_type_create(program=program, **data),
        success="Session type added.",
        done_url=_detail_url(program),
        heading=f"Add a session type to {program.name}",
    )


@configure
@require_http_methods(["GET", "POST"])
def session_type_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    session_type = session_type_for(request.user, public_id)
    form = SessionTypeEditForm(
        request.POST or None, initial=SessionTypeForm.initial_for(session_type)
    )
    return save_page(
        request,
        form,
        save=lambda data: services.session_type_update(session_type=session_type, **data),
        success="Session type saved.",
        done_url=_detail_url(session_type.program),
        heading=f"Edit session type: {session_type.name}",
    )
