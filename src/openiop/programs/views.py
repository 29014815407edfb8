from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.programs.models import Program


@staff(Perm.PROGRAM_CONFIGURE)
def program_list(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.filter(organization_id=request.user.organization_id).select_related(
        "site"
    )
    return render(request, "programs/list.html", {"programs": programs})
