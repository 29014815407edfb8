"""The week planner's pages and track placement (PLANNER area): a director builds a week of
individual sessions, reviews the proposal with its reasons, pins or removes sessions and
re-solves, then books the ones they accept, or rejects it.

Directors (Perm.PROGRAM_CONFIGURE) of the program only: runs of other programs are 404s. The
proposal names participants, so each view of it is audited, one row per participant shown, and
only participants the director may see are listed. URLs carry the run's public id only.

Track placement ranks a participant's program's tracks for their open episode: for everyone who
may see the participant (intake places admissions), audited as any chart view.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.forms import apply_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.ops.tracking import tracked_refresh
from openiop.participants.access import participant_for, participants_for, program_ids_for
from openiop.participants.forms import clinicians_of
from openiop.participants.models import OPEN_STATUSES, Episode
from openiop.programs.access import programs_for
from openiop.scheduling import planner
from openiop.scheduling.forms import ClinicianHoursForm
from openiop.scheduling.models import ClinicianHours, PlanRun, PlanState
from openiop.scheduling.services import ConflictError
from openiop.scheduling.solver.problem import WEEKDAYS
from openiop.scheduling.track_fit import track_fits
from openiop.scheduling.views_sessions import _configurable_program

WEEKS_AHEAD = 4
PART_WORDS = {
    "placed": "Sessions placed",
    "primary": "With the primary clinician",
    "care_team": "With another care-team clinician",
    "preferred_time": "At a preferred time",
    "continuity": "Same time as last week",
    "billable_day": "Makes a billable day",
    "lift_weekly": "Lifts a week below the hours minimum",
    "makeup_in_group": "Make-up in a group",
    "kept": "Kept from the last proposal",
    "same_day": "Extra sessions on one day",
    "over_target": "Above a clinician's target",
}


def _run_for(request: AuthedRequest, public_id: UUID) -> PlanRun:
    return get_object_or_404(
        PlanRun.objects.filter(program__in=programs_for(request.user)).select_related(
            "program", "tracked", "requested_by", "previous"
        ),
        public_id=public_id,
    )


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def plan_week(request: AuthedRequest) -> HttpResponse:
    program = _configurable_program(request)
    first = planner.next_monday(today_in(program.time_zone))
    weeks = [first + timedelta(weeks=n) for n in range(WEEKS_AHEAD)]
    error = ""
    if request.method == "POST":
        try:
            week = date.fromisoformat(request.POST.get("week", ""))
            if week not in weeks:
                raise ValueError
        except ValueError:
            error = "Choose one of the weeks offered."
        else:
            try:
                run = planner.plan_start(actor=request.user, program=program, week_start=week)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("scheduling:plan_run", public_id=run.public_id)
    runs = PlanRun.objects.filter(program=program).select_related("requested_by")[:10]
    context = {
        "program": program,
        "programs": programs_for(request.user).order_by("name"),
        "weeks": weeks,
        "runs": runs,
        "error": error,
    }
    return render(request, "scheduling/plan_week.html", context)


def _moves(run: PlanRun) -> dict[str, tuple[int, str, str | None]]:
    """Where the proposal this one re-solved had each session: (day, start, clinician)."""
    before = run.previous.proposal if run.previous is not None else None
    return {
        s["request"]: (s["day"], s["start"], s["clinician"])
        for s in (before or {}).get("sessions", [])
    }


def _rows(run: PlanRun, visible: set[str]) -> dict[str, Any]:
    data = run.proposal or {}
    names: dict[str, str] = run.keys.get("names", {})
    before = _moves(run) if run.previous_id else {}
    days: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in data.get("sessions", []):
        if s["participant"] not in visible:
            continue
        row: dict[str, Any] = {
            **s,
            "who": names.get(s["participant"], "—"),
            "with": names.get(s["clinician"] or "", "—"),
            "where": names.get(s["room"] or "", "—"),
            "met_words": planner.preference_words(s["met"]),
            "moved": bool(before)
            and before.get(s["request"]) != (s["day"], s["start"], s["clinician"]),
        }
        days[s["day"]].append(row)
    grid: list[dict[str, Any]] = [
        {
            "label": f"{WEEKDAYS[d][:3]} {run.week_start + timedelta(days=d):%b} "
            f"{(run.week_start + timedelta(days=d)).day}",
            "sessions": sorted(days[d], key=lambda r: (r["start"], r["with"])),
        }
        for d in sorted(days)
    ]
    unplaced = [
        {**u, "who": names.get(u["participant"], "—")}
        for u in data.get("unplaced", [])
        if u["participant"] in visible
    ]
    loads = [
        {**x, "name": names.get(x["clinician"], "—")}
        for x in data.get("loads", [])
        if x["sessions"]
    ]
    parts = [
        {"label": PART_WORDS.get(k, k), "count": v[0], "points": v[1]}
        for k, v in data.get("parts", {}).items()
        if v[0]
    ]
    return {
        "grid": grid,
        "unplaced": unplaced,
        "loads": loads,
        "parts": parts,
        "count": sum(len(d["sessions"]) for d in grid),
    }


@staff(Perm.PROGRAM_CONFIGURE)
@require_GET
def plan_run(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    run = _run_for(request, public_id)
    tracked = tracked_refresh(run.tracked) if run.tracked else None
    if run.state == PlanState.RUNNING and tracked is not None and tracked.state == "failed":
        run.state = PlanState.FAILED
    if request.htmx:
        if run.state != PlanState.RUNNING:
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return render(request, "scheduling/_plan_progress.html", {"run": run, "tracked": tracked})
    context: dict[str, Any] = {"run": run, "tracked": tracked, "program": run.program}
    if run.proposal:
        shown = participants_for(request.user).filter(episodes__program=run.program).distinct()
        keys = {f"p{p.pk}": p for p in shown}
        mentioned = {s["participant"] for s in run.proposal.get("sessions", [])} | {
            u["participant"] for u in run.proposal.get("unplaced", [])
        }
        visible = {k for k in mentioned if k in keys}
        context.update(_rows(run, visible))
        context["proposal"] = run.proposal
        context["assumed"] = run.keys.get("assumed_hours", [])
        access_record_many(
            request=request,
            action=AccessAction.VIEW,
            object_type="plan_run",
            participants=[keys[k] for k in sorted(visible)],
        )
    return render(request, "scheduling/plan_run.html", context)


@staff(Perm.PROGRAM_CONFIGURE)
@require_POST
def plan_decide(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    run = _run_for(request, public_id)
    action = request.POST.get("action")
    here = reverse("scheduling:plan_run", args=[run.public_id])
    accepted = request.POST.getlist("book")
    try:
        if action == "apply":
            booked = planner.plan_apply(actor=request.user, run=run, accepted=accepted)
            messages.success(request, f"{len(booked)} sessions booked.")
        elif action == "resolve":
            proposed = [s["request"] for s in (run.proposal or {}).get("sessions", [])]
            new = planner.plan_resolve(
                actor=request.user,
                run=run,
                pinned=request.POST.getlist("pin"),
                removed=[r for r in proposed if r not in set(accepted)],
            )
            return redirect("scheduling:plan_run", public_id=new.public_id)
        elif action == "reject":
            planner.plan_reject(actor=request.user, run=run)
            messages.info(request, "Proposal rejected: nothing was booked.")
        else:
            messages.error(request, "Choose what to do with the proposal.")
    except ConflictError as exc:
        details = "; ".join(c.detail for c in exc.conflicts)
        messages.error(
            request,
            "Nothing was booked: something was booked meanwhile that clashes with this "
            f"proposal ({details}). Build the week again.",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(here)


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def plan_hours(request: AuthedRequest) -> HttpResponse:
    """Clinicians' working hours for the program: add a weekday's hours, or remove a row."""
    program = _configurable_program(request)
    form = ClinicianHoursForm(
        request.POST if request.POST.get("action") == "add" else None, program=program
    )
    if request.method == "POST":
        here = f"{reverse('scheduling:plan_hours')}?program={program.public_id}"
        if request.POST.get("action") == "remove":
            hours = ClinicianHours.objects.filter(
                program=program, pk=request.POST.get("hours_id", "").strip() or 0
            ).first()
            if hours is None:
                raise Http404("No such hours.")
            planner.clinician_hours_remove(actor=request.user, hours=hours)
            messages.success(request, "Working hours removed.")
            return redirect(here)
        if form.is_valid():
            data = form.cleaned_data
            try:
                planner.clinician_hours_add(
                    actor=request.user,
                    program=program,
                    user=data["user"],
                    weekday=data["weekday"],
                    start=data["start_time"],
                    end=data["end_time"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Working hours added.")
                return redirect(here)
    rows = ClinicianHours.objects.filter(program=program).select_related("user")
    by_user: dict[int, list[ClinicianHours]] = defaultdict(list)
    for row in rows.order_by("weekday", "start_time"):
        by_user[row.user_id].append(row)
    people = [(u, by_user.get(u.pk, [])) for u in clinicians_of(program)]
    context = {
        "program": program,
        "programs": programs_for(request.user).order_by("name"),
        "people": people,
        "default": planner.DEFAULT_HOURS,
        "form": form,
    }
    return render(request, "scheduling/plan_hours.html", context)


# --- track placement -----------------------------------------------------------------------


@staff(Perm.PARTICIPANT_EXISTS)
@require_GET
def track_fit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """The program's tracks ranked for this participant's open episode: the reasons of each,
    like the level-of-care recommendation. Only programs the viewer works in."""
    participant = participant_for(request, public_id, object_type="track_fit")
    episode = (
        Episode.objects.filter(
            participant=participant,
            program_id__in=program_ids_for(request.user),
            status__in=OPEN_STATUSES,
        )
        .select_related("program", "track")
        .order_by("-inquiry_on", "-pk")
        .first()
    )
    context: dict[str, Any] = {"participant": participant, "episode": episode}
    if episode is not None:
        program = episode.program
        today = today_in(program.time_zone)
        starts_on = episode.started_on or episode.admitted_on or planner.next_monday(today)
        context["starts_on"] = starts_on
        context["fits"] = track_fits(participant=participant, program=program, starts_on=starts_on)
    return render(request, "scheduling/track_fit.html", context)
