"""Taking attendance on the session page, and resolving follow-ups.

Each tap posts one participant's status. An htmx request gets back just that participant's row
(plus the block's running count, out of band); a plain form post is redirected back, so the page
works without JavaScript too.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.forms import Form, message_errors
from openiop.lib.http import AuthedRequest, safe_return_to
from openiop.participants.access import participant_for, program_ids_for
from openiop.scheduling import attendance as att
from openiop.scheduling.models import (
    Attendance,
    AttendanceStatus,
    FollowUpItem,
    RosterEntry,
    Session,
)

# The order of the buttons: the common case first, under the thumb.
STATUS_BUTTONS = [
    (AttendanceStatus.PRESENT, "Present"),
    (AttendanceStatus.LATE, "Late"),
    (AttendanceStatus.LEFT_EARLY, "Left early"),
    (AttendanceStatus.ABSENT_EXCUSED, "Absent excused"),
    (AttendanceStatus.ABSENT_UNEXCUSED, "Absent unexcused"),
    (AttendanceStatus.CANCELLED, "Cancelled by program"),
]


def _session_for(request: AuthedRequest, public_id: UUID) -> Session:
    """A session of one of the user's programs; 404 for anyone else's."""
    return get_object_or_404(
        att.sessions_visible_to(request.user).select_related("program", "session_type", "room"),
        public_id=public_id,
    )


def attendance_context(request: AuthedRequest, session: Session) -> dict[str, Any]:
    """What the attendance block needs; the session page's include calls this too (through the
    `attendance_block` tag). Listing the roster shows names: one access-log row each."""
    rows = att.attendance_rows(session, viewer=request.user)
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="attendance",
        participants=[r.participant for r in rows],
    )
    return {
        "session": session,
        "rows": rows,
        "recorded": sum(1 for r in rows if r.record is not None),
        "can_record": att.may_record(request.user, session),
        "buttons": STATUS_BUTTONS,
        "tz": session.program.time_zone,
    }


@staff(Perm.PARTICIPANT_EXISTS)
@require_GET
def session_attendance(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    session = _session_for(request, public_id)
    return render(request, "scheduling/_attendance_page.html", attendance_context(request, session))


def _local_time(session: Session, value: str, label: str) -> datetime | None:
    """An HH:MM typed on the session's local day (or, past midnight, its end's day)."""
    value = value.strip()
    if not value:
        return None
    try:
        clock = time.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"Enter the {label} time as hours and minutes, e.g. 09:40.") from None
    tz = zoneinfo.ZoneInfo(session.program.time_zone)
    start = session.starts_at.astimezone(tz)
    moment = datetime.combine(start.date(), clock, tzinfo=tz)
    if moment < start - att.GRACE and session.ends_at.astimezone(tz).date() > start.date():
        moment += timedelta(days=1)
    return moment


def _back(request: AuthedRequest, session: Session) -> str:
    return safe_return_to(
        request, reverse("scheduling:session_attendance", args=[session.public_id])
    )


def _check_may_record(request: AuthedRequest, session: Session) -> None:
    if not att.may_record(request.user, session):
        raise PermissionDenied("Only the session's facilitators or the program's clinicians may.")


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def attendance_mark(request: AuthedRequest, public_id: UUID, participant_id: UUID) -> HttpResponse:
    session = _session_for(request, public_id)
    _check_may_record(request, session)
    participant = participant_for(request, participant_id, write=True, object_type="attendance")
    error = ""
    try:
        att.attendance_record(
            session=session,
            participant=participant,
            status=request.POST.get("status", ""),
            arrived_at=_local_time(session, request.POST.get("arrived", ""), "arrival"),
            departed_at=_local_time(session, request.POST.get("departed", ""), "departure"),
            actor=request.user,
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, f"{participant.display_name}: {error}")
        return redirect(_back(request, session))
    try:
        row = att.attendance_row(session, participant)
    except ValidationError:
        raise Http404("Not on this roster.") from None
    context = {
        "session": session,
        "row": row,
        "error": error,
        "can_record": True,
        "buttons": STATUS_BUTTONS,
        "tz": session.program.time_zone,
        "oob_summary": True,
        "recorded": Attendance.objects.filter(session=session).count(),
        "roster_count": RosterEntry.objects.filter(session=session).count(),
    }
    return HttpResponse(render_to_string("scheduling/_attendance_row.html", context, request))


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def attendance_all_present(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    session = _session_for(request, public_id)
    _check_may_record(request, session)
    before = set(
        Attendance.objects.filter(session=session).values_list("participant_id", flat=True)
    )
    error = ""
    try:
        count = att.attendance_all_present(session=session, actor=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        marked = [
            e.participant
            for e in RosterEntry.objects.filter(session=session)
            .exclude(participant_id__in=before)
            .select_related("participant")
        ]
        access_record_many(
            request=request,
            action=AccessAction.UPDATE,
            object_type="attendance",
            participants=marked,
        )
    if request.htmx:
        # The block shows the outcome itself; a flash message would surface on a later page.
        context = {**attendance_context(request, session), "block_error": error}
        return render(request, "scheduling/_attendance_block.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{count} marked present.")
    return redirect(_back(request, session))


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def follow_up_resolve(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    item = get_object_or_404(
        FollowUpItem.objects.select_related("participant").filter(
            organization=request.user.organization,
            episode__program_id__in=program_ids_for(request.user),
        ),
        public_id=public_id,
    )
    participant_for(request, item.participant.public_id, write=True, object_type="follow_up")
    form = FollowUpResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_back_home(request))
    with message_errors(request):
        att.follow_up_resolve(item=item, actor=request.user, note=form.cleaned_data["note"])
        messages.success(request, "Follow-up resolved.")
    return redirect(_back_home(request))


class FollowUpResolveForm(Form):
    note = forms.CharField(
        max_length=300,
        error_messages={
            "required": "Write a short note on what was done.",
            "max_length": "Keep the note under 300 characters.",
        },
    )


def _back_home(request: AuthedRequest) -> str:
    return safe_return_to(request, reverse("home"))
