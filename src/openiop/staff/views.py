"""The administrator's pages for the organization's staff accounts (see __init__)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts import services
from openiop.accounts.models import User
from openiop.accounts.policy import staff
from openiop.accounts.roles import STAFF_ROLES, Perm
from openiop.lib.forms import form_errors, message_errors
from openiop.lib.http import AuthedRequest
from openiop.staff.forms import StaffUserForm


def _managed_users(request: AuthedRequest) -> QuerySet[User]:
    # Staff accounts of the administrator's organization only. Participant and family
    # accounts are left out on purpose: a list of them would tell an administrator, who has
    # no participant access, who is in treatment.
    org_id = request.user.organization_id
    if org_id is None:
        return User.objects.none()
    return User.objects.filter(organization_id=org_id, role__in=STAFF_ROLES)


def _managed_user(request: AuthedRequest, public_id: UUID) -> User:
    try:
        return _managed_users(request).get(public_id=public_id)
    except User.DoesNotExist:
        raise Http404("No such user.") from None


@staff(Perm.USER_MANAGE)
def users(request: AuthedRequest) -> HttpResponse:
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    people = (
        _managed_users(request)
        .annotate(mfa_enrolled=Exists(enrolled))
        .order_by("-is_active", "role", "full_name")
        .prefetch_related("assignments__program")
    )
    return render(request, "staff/users.html", {"people": people})


@staff(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_create(request: AuthedRequest) -> HttpResponse:
    form = StaffUserForm(request.POST or None, organization=request.user.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            person = services.user_create(
                actor=request.user,
                email=data["email"],
                full_name=data["full_name"],
                credentials=data["credentials"],
                role=data["role"],
                programs=data["programs"],
                site_url=request.build_absolute_uri("/"),
                supervisor=data["supervisor"],
            )
            messages.success(
                request,
                "Account created. An invitation to choose a password was e-mailed; "
                "if it does not arrive, send it again from this page.",
            )
            return redirect("staff:user_detail", public_id=person.public_id)
    return render(request, "staff/user_form.html", {"form": form, "person": None})


@staff(Perm.USER_MANAGE)
def user_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = _managed_user(request, public_id)
    context: dict[str, Any] = {
        "person": person,
        "programs": [a.program for a in person.assignments.select_related("program")],
        "mfa_enrolled": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
        "events": person.account_events.select_related("actor")[:50],
        "is_self": person.pk == request.user.pk,
    }
    return render(request, "staff/user_detail.html", context)


@staff(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = _managed_user(request, public_id)
    initial = {
        "email": person.email,
        "full_name": person.full_name,
        "credentials": person.credentials,
        "role": person.role,
        "programs": [a.program_id for a in person.assignments.all()],
        "supervisor": person.supervisor.public_id if person.supervisor else None,
    }
    form = StaffUserForm(
        request.POST or None, initial=initial, organization=request.user.organization
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            services.user_update(
                actor=request.user,
                user=person,
                email=data["email"],
                full_name=data["full_name"],
                credentials=data["credentials"],
                role=data["role"],
                programs=data["programs"],
                supervisor=data["supervisor"],
            )
            messages.success(request, "Changes saved.")
            return redirect("staff:user_detail", public_id=person.public_id)
    return render(request, "staff/user_form.html", {"form": form, "person": person})


def _account_action(
    request: AuthedRequest, public_id: UUID, action: Callable[..., object], done: str
) -> HttpResponse:
    person = _managed_user(request, public_id)
    with message_errors(request):
        action(actor=request.user, user=person)
        messages.success(request, done)
    return redirect("staff:user_detail", public_id=person.public_id)


@staff(Perm.USER_MANAGE)
@require_POST
def user_deactivate(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    return _account_action(
        request,
        public_id,
        services.user_deactivate,
        "Account deactivated; the person is signed out and cannot sign in.",
    )


@staff(Perm.USER_MANAGE)
@require_POST
def user_reactivate(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    return _account_action(request, public_id, services.user_reactivate, "Account reactivated.")


@staff(Perm.USER_MANAGE)
@require_POST
def user_mfa_reset(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    return _account_action(
        request,
        public_id,
        services.user_mfa_reset,
        "Two-step sign-in reset; the person sets up a new authenticator at next sign-in.",
    )


@staff(Perm.USER_MANAGE)
@require_POST
def user_invite(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = _managed_user(request, public_id)
    with message_errors(request):
        sent = services.user_invitation_send(
            actor=request.user, user=person, site_url=request.build_absolute_uri("/")
        )
        if sent:
            messages.success(request, "A link to choose a password was e-mailed.")
        else:
            messages.error(request, "The e-mail could not be sent. Check the mail settings.")
    return redirect("staff:user_detail", public_id=person.public_id)
