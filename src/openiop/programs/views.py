from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.lib.http import AuthedRequest
from openiop.programs.models import Program


@staff(Perm.PROGRAM_CONFIGURE)
def program_list(request: AuthedRequest) -> HttpResponse:
    programs = Program.objects.filter(organization=request.user.organization).select_related(
        "site"
    )
    return render(request, "programs/list.html", {"programs": programs})
