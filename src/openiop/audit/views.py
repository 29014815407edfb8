from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessLog
from openiop.lib.http import AuthedRequest


@staff(Perm.AUDIT_REVIEW)
def log(request: AuthedRequest) -> HttpResponse:
    entries = AccessLog.objects.filter(organization=request.user.organization).select_related(
        "actor", "participant"
    )[:100]
    return render(request, "audit/log.html", {"entries": entries})
