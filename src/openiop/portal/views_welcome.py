"""Accepting a portal invitation: the link from the e-mail, then choosing a password.

The link's key is checked, then moved into the session and the browser sent on to the same
page without it, so the key leaves the address bar (and any Referer) at once. Nothing here
names the participant: whoever holds the link sees only the sign-in address it is for."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import public
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.lib.forms import NulSafeMixin
from openiop.participants import invitations
from openiop.participants.models import PortalInvitation

SESSION_KEY = "openiop_invitation"

# What the person is told when a link cannot be used, by reason.
UNUSABLE: dict[str, tuple[str, str]] = {
    "unknown": (
        "This link does not work",
        "The link is incomplete or not one of ours. Open it again from the e-mail, or ask "
        "the person who invited you to send a new invitation.",
    ),
    "expired": (
        "This link has expired",
        "Invitation links work for a limited time. Ask the person who invited you to send a "
        "new one. No account was created.",
    ),
    "used": (
        "This link has already been used",
        "Each invitation link works once. If you chose your password, sign in with it. If "
        "you did not, contact the program straight away.",
    ),
    "revoked": (
        "This invitation was withdrawn",
        "The program withdrew this invitation. No account was created. Contact the program "
        "if you expected to use it.",
    ),
    "replaced": (
        "A newer invitation was sent",
        "This link was replaced by a newer one. Use the link in the most recent e-mail.",
    ),
    "no_release": (
        "This invitation cannot be used now",
        "The permission it depends on is no longer in effect. No account was created. "
        "Contact the program if you have questions.",
    ),
    "email_in_use": (
        "This e-mail address already has an account",
        "Another account uses this address, so a new one cannot be set up with it. Sign in "
        "with that account, or ask the program to invite a different address.",
    ),
}


class ChoosePasswordForm(NulSafeMixin, SetPasswordForm):
    """Django's set-password form (its validators: length, common, numeric, similar to the
    e-mail address or name), worded for someone setting up a new account."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password1"].help_text = (
            "At least 12 characters, not a common password, not only numbers and not like "
            "your e-mail address. A few unrelated words are long and easy to remember."
        )
        self.fields["new_password2"].label = "Type the password again"
        self.fields["new_password2"].help_text = ""


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    if "key" in request.GET:
        # Shown at an address that holds a key: its stylesheet requests must not carry it
        # in a Referer. (Pages with a form keep the site's same-origin policy: with
        # no-referrer browsers send "Origin: null" and the CSRF check refuses the form.)
        response["Referrer-Policy"] = "no-referrer"
    return response


def _unusable(request: HttpRequest, reason: str) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    title, text = UNUSABLE[reason]
    status = 404 if reason == "unknown" else 410
    return _page(request, "portal/welcome_unusable.html", {"title": title, "text": text}, status)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    key = request.GET.get("key")
    if key is not None:
        found = invitations.invitation_for_key(key)
        problem = invitations.invitation_problem(found, now)
        if problem or found is None:
            return _unusable(request, problem or "unknown")
        request.session[SESSION_KEY] = found.token_hash
        return redirect("welcome")
    held = request.session.get(SESSION_KEY, "")
    invitation = (
        PortalInvitation.objects.select_related("participant", "contact")
        .filter(token_hash=held)
        .first()
        if held
        else None
    )
    problem = invitations.invitation_problem(invitation, now)
    if problem or invitation is None:
        return _unusable(request, problem or "unknown")
    if request.user.is_authenticated:
        return _page(request, "portal/welcome_signed_in.html", {})
    form = ChoosePasswordForm(invitations.account_preview(invitation), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = invitations.portal_invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except invitations.InvitationUnusable as unusable:
            return _unusable(request, unusable.reason)
        request.session.pop(SESSION_KEY, None)
        access_record(
            request=request,
            action=AccessAction.CREATE,
            object_type="portal.account",
            participant=invitation.participant,
            object_id=str(account.public_id),
            actor=account,
        )
        messages.success(
            request,
            "Your account is ready. Sign in with your e-mail address and the password you "
            "just chose.",
        )
        return redirect("accounts:login")
    episode = invitation.participant.episodes.select_related("program").order_by("-inquiry_on")
    latest = episode.first()
    context = {
        "form": form,
        "email": invitation.email,
        "expires_at": invitation.expires_at,
        # The time the link stops working, in the program's time zone (the visitor has none).
        "time_zone": latest.program.time_zone if latest else "UTC",
        "family": invitation.contact_id is not None,
    }
    return _page(request, "portal/welcome.html", context)
