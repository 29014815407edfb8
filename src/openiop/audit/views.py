from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessLog


@staff(Perm.AUDIT_REVIEW)
def log(request: HttpRequest) -> HttpResponse:
    entries = AccessLog.objects.filter(organization_id=request.user.organization_id).select_related(
        "actor", "participant"
    )[:100]
    return render(request, "audit/log.html", {"entries": entries})
