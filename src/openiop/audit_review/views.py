"""Audit review (HIPAA §164.312(b)): the organization's access log, one participant's trail
and one user's activity, with a CSV export of any filtered view.

Filters travel as query parameters holding only dates, an action code and UUIDs. The filter
form is posted and answered with a redirect, so a typed record number never lands in a URL,
the browser history or a server log.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from openiop.accounts.models import User
from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction, AccessLog
from openiop.audit.services import audit_review_record
from openiop.audit_review.forms import QUERY_KEYS, AuditFilterForm
from openiop.audit_review.selectors import (
    entries_filtered,
    review_time_zone,
    reviewable_entries,
    reviewable_participant,
    reviewable_user,
    reviews_whole_organization,
)
from openiop.lib.http import AuthedRequest
from openiop.participants.models import Participant


def _filter_form(
    request: AuthedRequest,
    *,
    pinned_participant: Participant | None = None,
    pinned_actor: User | None = None,
) -> AuditFilterForm:
    common: dict[str, Any] = {
        "reviewer": request.user,
        "pinned_participant": pinned_participant,
        "pinned_actor": pinned_actor,
    }
    if request.method == "POST":
        return AuditFilterForm(request.POST, **common)
    # Only the known keys are read back: a hand-made URL cannot smuggle a record number in.
    data = {
        key: request.GET[key] for key in QUERY_KEYS if key != "participant" and key in request.GET
    }
    return AuditFilterForm(data, participant_id=request.GET.get("participant", ""), **common)


def _review(
    request: AuthedRequest,
    *,
    heading: str,
    pinned_participant: Participant | None = None,
    pinned_actor: User | None = None,
) -> HttpResponse:
    form = _filter_form(request, pinned_participant=pinned_participant, pinned_actor=pinned_actor)
    valid = form.is_valid()
    if request.method == "POST" and valid:
        return redirect(_with_query(request.path, form.query_params()))

    tz = review_time_zone(request.user.organization_id)
    page = None
    rows: list[AccessLog] = []
    if valid:
        entries = entries_filtered(reviewable_entries(request.user), form.entry_filter(), tz=tz)
        page = Paginator(entries, settings.OPENIOP_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        audit_review_record(
            request=request,
            action=AccessAction.VIEW if pinned_participant else AccessAction.LIST,
            participants=[pinned_participant] if pinned_participant else _shown(rows),
            subject_id=str(pinned_actor.public_id) if pinned_actor else "",
        )

    export_params = form.query_params() if valid else {}
    if pinned_participant is not None:
        export_params["participant"] = str(pinned_participant.public_id)
    if pinned_actor is not None:
        export_params["actor"] = str(pinned_actor.public_id)
    context = {
        "heading": heading,
        "form": form,
        "page": page,
        "rows": rows,
        "time_zone": str(tz),
        "whole_organization": reviews_whole_organization(request.user),
        "subject_participant": pinned_participant,
        "subject_user": pinned_actor,
        "query": urlencode(form.query_params()) if valid else "",
        "export_url": _with_query(reverse("audit:export"), export_params),
    }
    return render(request, "audit/log.html", context, status=200)


def _with_query(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _shown(rows: list[AccessLog]) -> list[Participant]:
    return [row.participant for row in rows if row.participant is not None]


@staff(Perm.AUDIT_REVIEW)
def log(request: AuthedRequest) -> HttpResponse:
    return _review(request, heading="Audit log")


@staff(Perm.AUDIT_REVIEW)
def participant_log(request: AuthedRequest, public_id: str) -> HttpResponse:
    participant = reviewable_participant(request.user, public_id)
    return _review(
        request,
        heading=f"Audit trail: {participant.display_name} ({participant.record_number})",
        pinned_participant=participant,
    )


@staff(Perm.AUDIT_REVIEW)
def user_log(request: AuthedRequest, public_id: str) -> HttpResponse:
    subject = reviewable_user(request.user, public_id)
    return _review(
        request,
        heading=f"Activity of {subject.full_name} ({subject.get_role_display()})",
        pinned_actor=subject,
    )


CSV_COLUMNS = (
    "at_utc",
    "actor",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "participant",
    "participant_record",
    "participant_id",
    "path",
    "address",
    "entry_id",
)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with these as a formula (CSV injection).
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def _csv_lines(entries: QuerySet[AccessLog]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in entries.iterator(chunk_size=2000):
        actor, participant = e.actor, e.participant
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    e.at.astimezone(UTC).isoformat(),
                    actor.full_name if actor else "",
                    actor.public_id if actor else "",
                    e.actor_role,
                    e.action,
                    e.object_type,
                    e.object_id,
                    participant.display_name if participant else "",
                    participant.record_number if participant else "",
                    participant.public_id if participant else "",
                    e.path,
                    e.address,
                    e.public_id,
                )
            ]
        )


@staff(Perm.AUDIT_REVIEW)
def export_csv(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        tz = review_time_zone(request.user.organization_id)
        context = {
            "heading": "Audit log",
            "form": form,
            "page": None,
            "rows": [],
            "time_zone": str(tz),
            "whole_organization": reviews_whole_organization(request.user),
            "query": "",
            "export_url": reverse("audit:export"),
        }
        return render(request, "audit/log.html", context, status=400)
    tz = review_time_zone(request.user.organization_id)
    # Rows written by this export itself are not part of it: the file is what was there
    # when it was asked for.
    cutoff = timezone.now()
    entries = entries_filtered(reviewable_entries(request.user), form.entry_filter(), tz=tz).filter(
        at__lte=cutoff
    )
    exported = Participant.objects.filter(pk__in=entries.values("participant_id"))
    audit_review_record(request=request, action=AccessAction.EXPORT, participants=exported)
    stamp = timezone.now().astimezone(tz).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
