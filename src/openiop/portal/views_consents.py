"""My permissions: the participant reads the consents they signed, in plain words, and stops a
release, a Part 2 consent or the follow-up-contact consent themselves.

HIPAA and 42 CFR Part 2 let a participant revoke such a consent in writing at any time; a
request sent from their own signed-in portal is that writing. It takes effect at once
(participants.consents.consent_revoke) and cannot call back what was already shared. Consent
to treatment is not stopped here: ending treatment is a conversation with the care team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.lib.forms import message_errors
from openiop.lib.http import AuthedRequest
from openiop.participants.access import portal_participant
from openiop.participants.consents import consent_revoke
from openiop.participants.models import (
    Consent,
    ConsentExpiry,
    ConsentKind,
    ConsentRevokedHow,
    Participant,
)

# What the participant may stop from the portal; consent to treatment is not among them.
STOPPABLE_KINDS = frozenset({ConsentKind.RELEASE, ConsentKind.PART2, ConsentKind.FOLLOWUP})
TREATMENT_HINT = "Talk to your therapist if you want to stop treatment."

TITLES: dict[str, str] = {
    ConsentKind.TREATMENT: "Taking part in treatment",
    ConsentKind.RELEASE: "Sharing my information",
    ConsentKind.PART2: "Sharing my substance-use treatment records",
    ConsentKind.FOLLOWUP: "Contact after I leave the program",
}


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _information(consent: Consent) -> str:
    return _and_list([label.lower() for label in consent.information_labels])


def _program(consent: Consent) -> str:
    return consent.program.name if consent.program else "The program"


def _until(consent: Consent) -> str:
    if consent.expiry == ConsentExpiry.DATE and consent.expires_on is not None:
        return _day(consent.expires_on)
    if consent.expiry == ConsentExpiry.DISCHARGE:
        return "you leave the program"
    return "you stop it"


def _what(consent: Consent, *, active: bool) -> str:
    program = _program(consent)
    may = "may" if active else "was allowed to"
    if consent.kind == ConsentKind.TREATMENT:
        return f"You agreed to take part in {program}."
    if consent.kind == ConsentKind.FOLLOWUP:
        return (
            f"{program} {may} contact you after you leave the program, to ask how you are "
            "doing and to invite you to follow-up check-ins."
        )
    return f"{program} {may} share {_information(consent)} with {consent.recipient_label}."


def _after_stopping(consent: Consent) -> str:
    if consent.kind == ConsentKind.FOLLOWUP:
        return (
            f"After you stop this permission, {_program(consent)} will no longer contact you "
            "after you leave the program. Contact already made cannot be undone."
        )
    sentence = (
        f"After you stop this permission, {consent.recipient_label} will no longer receive "
        f"{_information(consent)} from {_program(consent)}."
    )
    contact = consent.recipient_contact
    if contact is not None and contact.user_id is not None:
        sentence += f" {contact.name} will no longer see it in their family portal."
    return f"{sentence} Information already shared cannot be called back."


@dataclass(frozen=True)
class Permission:
    """One consent as the participant reads it."""

    consent: Consent
    title: str
    what: str
    purpose: str
    until: str
    status: str
    active: bool
    can_stop: bool
    hint: str


def _permission(consent: Consent, today: date) -> Permission:
    active = consent.is_active_on(today)
    status = consent.status_label(today)
    if status == "Expired":
        status = "Ended"
    hint = ""
    if consent.kind == ConsentKind.TREATMENT and consent.revoked_at is None:
        hint = TREATMENT_HINT
    return Permission(
        consent=consent,
        title=TITLES[consent.kind],
        what=_what(consent, active=active),
        purpose=consent.purpose,
        until=_until(consent),
        status=status,
        active=active,
        can_stop=active and consent.kind in STOPPABLE_KINDS,
        hint=hint,
    )


def _consents(participant: Participant) -> list[Consent]:
    return list(
        participant.consents.select_related("program", "recipient_contact", "episode").order_by(
            "-signed_at", "-id"
        )
    )


@portal
@require_http_methods(["GET"])
def permissions(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="portal.permissions", alumni=True)
    today = participant.local_today()
    mine = [_permission(consent, today) for consent in _consents(participant)]
    # Current permissions first, then those that ended or were stopped; newest first in each.
    mine.sort(key=lambda p: not p.active)
    return render(request, "portal/permissions.html", {"permissions": mine})


def _my_consent(participant: Participant, public_id: UUID) -> Consent:
    try:
        consent = participant.consents.select_related(
            "program", "recipient_contact", "episode"
        ).get(public_id=public_id)
    except Consent.DoesNotExist:
        raise Http404("No such permission.") from None
    return consent


def _refusal(consent: Consent, today: date) -> str:
    """Why this consent cannot be stopped here, or '' when it can."""
    if consent.revoked_at is not None:
        when = _day(consent.revoked_on) if consent.revoked_on else "an earlier day"
        return f"This permission was already stopped on {when}. Nothing has changed."
    if consent.kind not in STOPPABLE_KINDS:
        return f"Consent to treatment cannot be stopped here. {TREATMENT_HINT}"
    if not consent.is_active_on(today):
        return "This permission has already ended. Nothing has changed."
    return ""


@portal
@require_http_methods(["GET", "POST"])
def permission_stop(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = portal_participant(request, object_type="portal.permission", alumni=True)
    consent = _my_consent(participant, public_id)
    today = participant.local_today()
    refusal = _refusal(consent, today)
    if refusal:
        access_record(
            request=request,
            action=AccessAction.DENIED if request.method == "POST" else AccessAction.VIEW,
            object_type="consent",
            participant=participant,
            object_id=str(consent.public_id),
        )
        messages.error(request, refusal)
        return redirect("portal:permissions")
    if request.method == "POST":
        # Stopped a moment ago in another tab, say: the write function refuses it.
        with message_errors(request):
            consent_revoke(actor=request.user, consent=consent, how=ConsentRevokedHow.PORTAL)
            access_record(
                request=request,
                action=AccessAction.UPDATE,
                object_type="consent",
                participant=participant,
                object_id=str(consent.public_id),
            )
            messages.success(request, "You stopped this permission. It ends now.")
        return redirect("portal:permissions")
    access_record(
        request=request,
        action=AccessAction.VIEW,
        object_type="consent",
        participant=participant,
        object_id=str(consent.public_id),
    )
    context = {
        "permission": _permission(consent, today),
        "after": _after_stopping(consent),
    }
    return render(request, "portal/permissions_stop.html", context)
