"""The participant's accounting of disclosures (42 CFR 2.24 as revised in 2024; HIPAA
164.528): every time information about them left one of their programs, who received it, what,
when, how and under which consent. They read it here and take it away as a PDF or CSV file.
Only ever their own: the record comes from portal_participant, never from a parameter."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openiop.accounts.policy import portal
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.lib.http import AuthedRequest
from openiop.participants.access import portal_participant
from openiop.participants.disclosures import disclosures_for_participant
from openiop.portal.accounting_pdf import accounting_pdf

OBJECT_TYPE = "portal.disclosures"


@portal
@require_GET
def disclosures(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type=OBJECT_TYPE, alumni=True)
    rows = list(disclosures_for_participant(participant))
    context = {"participant": participant, "rows": rows}
    return render(request, "portal/disclosures.html", context)


@portal
@require_GET
def disclosures_pdf(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type=OBJECT_TYPE, alumni=True)
    rows = list(disclosures_for_participant(participant))
    access_record(
        request=request,
        action=AccessAction.EXPORT,
        object_type=OBJECT_TYPE,
        participant=participant,
    )
    response = HttpResponse(
        accounting_pdf(participant, rows, made_at=timezone.now()), content_type="application/pdf"
    )
    # No name in the file name: downloads folders are not private.
    response["Content-Disposition"] = 'attachment; filename="accounting-of-disclosures.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with these as a formula (CSV injection).
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@portal
@require_GET
def disclosures_csv(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type=OBJECT_TYPE, alumni=True)
    access_record(
        request=request,
        action=AccessAction.EXPORT,
        object_type=OBJECT_TYPE,
        participant=participant,
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "program", "recipient", "what", "information", "consent", "how"])
    for row in disclosures_for_participant(participant):
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row.disclosed_on.isoformat(),
                    row.program.name,
                    row.recipient,
                    row.description,
                    "; ".join(row.information_labels),
                    row.basis,
                    row.get_channel_display(),
                )
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="accounting-of-disclosures.csv"'
    response["Cache-Control"] = "no-store"
    return response
