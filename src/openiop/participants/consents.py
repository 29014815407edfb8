"""Consents signed electronically: to treatment, releases of information, 42 CFR Part 2
consents to disclose substance-use records, and follow-up contact after discharge.

A consent is signed once (the participant types their name; staff witness and record it, or
the participant signs in the portal) and never edited: the statement shown is stored with its
SHA-256. Revocation is a status that takes effect the moment it is recorded.

Other apps ask two questions here:
- `part2_disclosure_allowed(...)`: may this information of a substance-use program leave it?
  (exports and prints that disclose; they then carry part2.REDISCLOSURE_NOTICE);
- `family_grants(user)`: what a signed-in family member may see, exactly what active
  releases to them grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.participants.models import (
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from openiop.programs.models import Program

# What a release to a family contact shows in the family portal.
FAMILY_PORTAL_INFO = (
    ConsentInfo.FAMILY_SCHEDULE,
    ConsentInfo.ATTENDANCE,
    ConsentInfo.PROGRAM_CONTACT,
)
SUD_INFO: frozenset[str] = frozenset({ConsentInfo.SUD_RECORDS, ConsentInfo.SUD_COUNSELING_NOTES})
DISCLOSURE_KINDS = frozenset({ConsentKind.RELEASE, ConsentKind.PART2})

RIGHT_TO_REVOKE = (
    "I may revoke this consent at any time, in writing or by telling my care team, except "
    "for anything already done in reliance on it. My treatment, payment, enrollment and "
    "eligibility for benefits do not depend on signing it."
)


# --- the statement ---------------------------------------------------------------------------


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _expiry_text(expiry: str, expires_on: date | None) -> str:
    if expiry == ConsentExpiry.DATE and expires_on is not None:
        return f"on {_day(expires_on)}"
    if expiry == ConsentExpiry.DISCHARGE:
        return "when I am discharged from this episode of care"
    return "when I revoke it"


def _info_text(information: Sequence[str]) -> str:
    labels = dict(ConsentInfo.choices)
    return "; ".join(str(labels[value]).lower() for value in information)


def consent_statement(consent: Consent) -> str:
    """The words the participant signs, written from the consent's elements (our own words;
    for Part 2, the elements of 42 CFR 2.31 as listed in clinical.md §5)."""
    participant = consent.participant
    program = consent.program
    assert program is not None
    discloser = f"{program.name}, {program.organization.name}"
    expires = _expiry_text(consent.expiry, consent.expires_on)
    signature = f"Signed: {consent.typed_name} (typed) on {_day(consent.signed_on)}."
    if consent.kind == ConsentKind.TREATMENT:
        return (
            f"Consent to treatment. I, {participant.legal_name}, agree to take part in "
            f"{discloser}: an intensive outpatient program of group and individual therapy, "
            "skills training, family sessions where agreed, check-in questionnaires and a "
            "treatment plan made with my care team. I have been told what the program expects "
            "of me and may ask questions at any time. "
            f"This consent lasts until {expires}. {RIGHT_TO_REVOKE} {signature}"
        )
    if consent.kind == ConsentKind.FOLLOWUP:
        return (
            f"Follow-up contact. I, {participant.legal_name}, agree that {discloser} may "
            "contact me after I leave the program, by the phone and e-mail on my record, to "
            "ask how I am doing and to invite me to follow-up check-ins. "
            f"This consent ends {expires}. {RIGHT_TO_REVOKE} {signature}"
        )
    recipient = consent.recipient_label
    if consent.recipient_address:
        recipient = f"{recipient}, {consent.recipient_address}"
    information = _info_text(consent.information)
    if consent.kind == ConsentKind.RELEASE:
        return (
            f"Release of information. I, {participant.legal_name}, allow {discloser} to share "
            f"this information about me: {information}. With: {recipient}. "
            f"Purpose: {consent.purpose}. This release ends {expires}. "
            f"{RIGHT_TO_REVOKE} {signature}"
        )
    return (
        "Consent to disclose substance use disorder treatment records (42 CFR part 2). "
        f"Patient: {participant.legal_name}. "
        f"Program that discloses: {discloser}. "
        f"Information to be disclosed (kind and amount): {information}. "
        f"Recipients: {recipient}. "
        f"Purpose of the disclosure: {consent.purpose}. "
        f"Right to revoke: {RIGHT_TO_REVOKE} "
        f"Expires: {expires}. "
        f"{signature} "
        f"Notice to every recipient: {REDISCLOSURE_NOTICE}"
    )


def consent_hash(consent: Consent) -> str:
    """SHA-256 of what was signed: the elements and the statement."""
    return consent.compute_hash()


def consent_verified(consent: Consent) -> bool:
    """Whether the stored statement and elements still match the hash taken at signing."""
    return consent.hash_matches()


def part2_missing_elements(consent: Consent) -> list[str]:
    """The elements a Part 2 consent must name (clinical.md §5) that this one lacks."""
    missing = []
    checks = (
        ("the patient's name", consent.participant_id is not None),
        ("the program that discloses", consent.program_id is not None),
        ("what information", bool(consent.information)),
        (
            "the recipients",
            consent.recipient_contact_id is not None or bool(consent.recipient_name.strip()),
        ),
        ("the purpose", bool(consent.purpose.strip())),
        (
            "an expiry date or event",
            consent.expiry == ConsentExpiry.DISCHARGE
            or (consent.expiry == ConsentExpiry.DATE and consent.expires_on is not None),
        ),
        ("the signature", bool(consent.typed_name.strip())),
        ("the date", consent.signed_on is not None),
    )
    for label, present in checks:
        if not present:
            missing.append(label)
    if consent.statement and "revoke" not in consent.statement:
        missing.append("the right to revoke")
    return missing


# --- writes ----------------------------------------------------------------------------------


def _check_actor(actor: User, participant: Participant, episode: Episode, in_portal: bool) -> None:
    if in_portal:
        if participant.user_id is None or participant.user_id != actor.pk:
            raise ValidationError("Only the participant can sign in their portal.")
        return
    program = episode.program
    if (
        program.organization_id != actor.organization_id
        or not actor.assignments.filter(program=program).exists()
    ):
        raise ValidationError("You can only record consents in programs you are assigned to.")


def _clean_information(kind: str, information: Iterable[str], program: Program) -> list[str]:
    chosen = list(dict.fromkeys(information))
    unknown = [value for value in chosen if value not in ConsentInfo.values]
    if unknown:
        raise ValidationError({"information": "Choose what information the consent covers."})
    if not chosen:
        raise ValidationError({"information": "Choose what information may be shared."})
    if kind == ConsentKind.RELEASE and (program.treats_sud or SUD_INFO & set(chosen)):
        raise ValidationError(
            {
                "information": f"Records of {program.name} are substance-use treatment records: "
                "record a 42 CFR Part 2 consent instead of a general release."
                if program.treats_sud
                else "Substance-use records need a 42 CFR Part 2 consent, not a general release."
            }
        )
    if kind == ConsentKind.PART2 and ConsentInfo.SUD_COUNSELING_NOTES in chosen and len(chosen) > 1:
        raise ValidationError(
            {
                "information": "Substance-use counseling notes need their own consent: record "
                "them on a separate Part 2 consent."
            }
        )
    # Keep the checklist's order so the statement reads the same whoever ticked it.
    return [value for value in ConsentInfo.values if value in chosen]


@transaction.atomic
def consent_sign(
    *,
    actor: User,
    participant: Participant,
    episode: Episode,
    kind: str,
    typed_name: str,
    recipient_contact: FamilyContact | None = None,
    recipient_name: str = "",
    recipient_organization: str = "",
    recipient_address: str = "",
    information: Iterable[str] = (),
    purpose: str = "",
    expiry: str = ConsentExpiry.NONE,
    expires_on: date | None = None,
    in_portal: bool = False,
) -> Consent:
    """The participant signs a consent by typing their name, with `actor` (staff) witnessing
    and recording it, or themselves in the portal (`in_portal`)."""
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": "Choose the kind of consent."})
    episode = Episode.objects.select_related("program__organization").get(pk=episode.pk)
    if episode.participant_id != participant.pk:
        raise ValidationError("That episode belongs to someone else.")
    if episode.status == EpisodeStatus.DISCHARGED and kind != ConsentKind.FOLLOWUP:
        raise ValidationError("This episode is discharged; consents are recorded on open ones.")
    _check_actor(actor, participant, episode, in_portal)
    program = episode.program
    today = participant.local_today()
    errors: dict[str, str] = {}
    name = " ".join(typed_name.split())
    if len(name) < 2:
        errors["typed_name"] = "The participant types their full name to sign."
    elif len(name) > 200:
        errors["typed_name"] = "The name can be at most 200 characters."
    if expiry not in ConsentExpiry.values:
        errors["expiry"] = "Choose when the consent ends."
    elif expiry == ConsentExpiry.DATE:
        if expires_on is None:
            errors["expires_on"] = "Give the date the consent ends."
        elif expires_on < today:
            errors["expires_on"] = "The end date cannot be in the past."
    else:
        expires_on = None
    if kind in DISCLOSURE_KINDS and expiry == ConsentExpiry.NONE:
        errors["expiry"] = "A consent to share information needs an end date or event."
    if errors:
        raise ValidationError(errors)

    info: list[str] = []
    purpose = purpose.strip()
    if kind in DISCLOSURE_KINDS:
        if kind == ConsentKind.PART2 and not program.treats_sud:
            raise ValidationError(
                {"kind": f"{program.name} does not treat substance use: use a release."}
            )
        if recipient_contact is not None:
            if recipient_contact.participant_id != participant.pk:
                raise ValidationError(
                    {"recipient_contact": "Choose one of this person's contacts."}
                )
            if recipient_contact.program_id != program.pk:
                raise ValidationError(
                    {
                        "recipient_contact": f"Choose a contact recorded in {program.name}: "
                        "each program keeps its own contacts."
                    }
                )
            recipient_name = recipient_organization = ""
        elif not recipient_name.strip():
            raise ValidationError(
                {
                    "recipient_name": "Name who receives the information: a family contact or a "
                    "named person or organization."
                }
            )
        info = _clean_information(kind, information, program)
        if not purpose:
            raise ValidationError({"purpose": "Say what the information is shared for."})
    else:
        recipient_contact = None
        recipient_name = recipient_organization = recipient_address = ""
        if kind == ConsentKind.TREATMENT:
            active = Consent.objects.filter(
                episode=episode, kind=ConsentKind.TREATMENT, revoked_at__isnull=True
            ).select_related("episode")
            if any(c.is_active_on(today) for c in active):
                raise ValidationError("Consent to treatment is already signed for this episode.")

    consent = Consent(
        organization_id=participant.organization_id,
        participant=participant,
        episode=episode,
        program=program,
        kind=kind,
        recipient_contact=recipient_contact,
        recipient_name=recipient_name.strip(),
        recipient_organization=recipient_organization.strip(),
        recipient_address=recipient_address.strip(),
        information=info,
        purpose=purpose,
        expiry=expiry,
        expires_on=expires_on,
        typed_name=name,
        signed_on=today,
        signed_at=timezone.now(),
        recorded_by=None if in_portal else actor,
    )
    consent.statement = consent_statement(consent)
    if kind == ConsentKind.PART2:
        missing = part2_missing_elements(consent)
        if missing:
            raise ValidationError(f"A Part 2 consent must name {', '.join(missing)}.")
    consent.content_hash = consent_hash(consent)
    consent.full_clean(exclude=["participant", "episode", "program", "recipient_contact"])
    consent.save()
    what = consent.get_kind_display()
    if kind in DISCLOSURE_KINDS:
        what = f"{what} to {consent.recipient_label}"
    event_record(
        participant=participant,
        kind=EventKind.CONSENT,
        summary=f"{program.name}: {what} signed",
        actor=actor,
        program=program,
    )
    return consent


@transaction.atomic
def consent_revoke(*, actor: User, consent: Consent, how: str) -> Consent:
    """Revoke now: every check that reads the consent refuses from this moment."""
    # STAFF marks only the revocations carried over from before consents were signed.
    if how not in ConsentRevokedHow.values or how == ConsentRevokedHow.STAFF:
        raise ValidationError({"how": "Say how the participant revoked it."})
    locked = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("program", "recipient_contact")
        .get(pk=consent.pk)
    )
    if locked.revoked_at is not None:
        raise ValidationError("This consent has already been revoked.")
    participant = consent.participant
    if how == ConsentRevokedHow.PORTAL:
        if participant.user_id != actor.pk:
            raise ValidationError("Only the participant revokes in their portal.")
    elif (
        locked.program is not None and not actor.assignments.filter(program=locked.program).exists()
    ):
        raise ValidationError("You can only revoke consents in programs you are assigned to.")
    locked.revoked_at = timezone.now()
    locked.revoked_on = participant.local_today()
    locked.revoked_by = actor
    locked.revoked_how = how
    locked.save(update_fields=["revoked_at", "revoked_on", "revoked_by", "revoked_how"])
    for name in ("revoked_at", "revoked_on", "revoked_by_id", "revoked_how"):
        setattr(consent, name, getattr(locked, name))
    what = locked.get_kind_display()
    if locked.kind in DISCLOSURE_KINDS:
        what = f"{what} to {locked.recipient_label}"
    event_record(
        participant=participant,
        kind=EventKind.CONSENT,
        summary=f"{what} revoked ({ConsentRevokedHow(how).label.lower()})",
        actor=actor,
        program=locked.program,
    )
    return consent


# --- reads -----------------------------------------------------------------------------------


def treatment_consent_for(episode: Episode, on: date) -> Consent | None:
    consents = Consent.objects.filter(
        episode=episode, kind=ConsentKind.TREATMENT, revoked_at__isnull=True
    ).select_related("episode")
    return next((c for c in consents if c.is_active_on(on)), None)


def _covers(consent: Consent, information: str) -> bool:
    # "Substance-use treatment records" covers the program's records as a whole, except
    # counseling notes, which only a consent naming them covers.
    if information in consent.information:
        return True
    return (
        ConsentInfo.SUD_RECORDS in consent.information
        and information != ConsentInfo.SUD_COUNSELING_NOTES
    )


def part2_consents_covering(
    *, participant: Participant, program: Program, information: str, on: date
) -> list[Consent]:
    consents = Consent.objects.filter(
        participant=participant,
        program=program,
        kind=ConsentKind.PART2,
        revoked_at__isnull=True,
    ).select_related("episode", "recipient_contact")
    return [c for c in consents if c.is_active_on(on) and _covers(c, information)]


def part2_disclosure_allowed(
    *, participant: Participant, program: Program, information: str, on: date
) -> bool:
    """May `information` of the participant's records in `program` be disclosed outside the
    program on `on`? Always for programs that do not treat substance use; for those that do,
    only under an active Part 2 consent covering it. A disclosure made under it carries
    part2.REDISCLOSURE_NOTICE."""
    if information not in ConsentInfo.values:
        raise ValueError(f"Unknown kind of information: {information!r}")
    if not program.treats_sud:
        return True
    return bool(
        part2_consents_covering(
            participant=participant, program=program, information=information, on=on
        )
    )


@dataclass(frozen=True)
class FamilyGrant:
    """One thing a family member may see about one participant, and the consent granting it."""

    participant: Participant
    contact: FamilyContact
    scope: str
    consent: Consent

    @property
    def participant_id(self) -> int:
        return self.participant.pk

    @property
    def program(self) -> Program:
        """The program that gave it: the consent's (the discloser)."""
        if self.consent.program is not None:
            return self.consent.program
        return self.contact.program


def family_grants(user: Any) -> list[FamilyGrant]:
    """What the family member `user` may see today: exactly the family-portal information
    named by active releases (or Part 2 consents) to them. 'Today' is the participant's program
    day."""
    signed = list(
        Consent.objects.filter(
            recipient_contact__user=user,
            kind__in=list(DISCLOSURE_KINDS),
            revoked_at__isnull=True,
        ).select_related("participant", "recipient_contact__program", "episode", "program")
    )
    todays: dict[int, date] = {}

    def today_of(participant: Participant) -> date:
        if participant.pk not in todays:
            todays[participant.pk] = participant.local_today()
        return todays[participant.pk]

    # One grant per participant, program and kind of information: what one program shares
    # never stands for another program's.
    grants: dict[tuple[int, int, str], FamilyGrant] = {}
    for consent in signed:
        if not consent.is_active_on(today_of(consent.participant)):
            continue
        contact = consent.recipient_contact
        assert contact is not None
        for scope in FAMILY_PORTAL_INFO:
            if scope in consent.information:
                grant = FamilyGrant(consent.participant, contact, scope, consent)
                grants.setdefault((consent.participant_id, grant.program.pk, scope), grant)
    return sorted(grants.values(), key=lambda g: (g.participant.pk, g.program.name, g.scope))


def covered_contacts(participant: Participant) -> set[int]:
    """Ids of the participant's family contacts whom an active release (or Part 2 consent) lets
    see something in the family portal. A family member's portal account works only while
    they are in this set. One query, whatever the number."""
    today = participant.local_today()
    portal_info = set(FAMILY_PORTAL_INFO)
    covered = {
        c.recipient_contact_id
        for c in Consent.objects.filter(
            participant=participant,
            recipient_contact__isnull=False,
            kind__in=list(DISCLOSURE_KINDS),
            revoked_at__isnull=True,
        ).select_related("episode")
        if c.is_active_on(today) and portal_info & set(c.information)
    }
    covered.discard(None)
    return {pk for pk in covered if pk is not None}


def consents_for_chart(participant: Participant, program_ids: Iterable[int]) -> list[Consent]:
    """The participant's consents in the viewer's programs: that a Part 2 consent exists says
    the participant is in a substance-use program, which other programs' staff may not know."""
    return list(
        participant.consents.filter(program_id__in=list(program_ids))
        .select_related("program", "recipient_contact", "episode", "recorded_by")
        .order_by("-signed_at", "-id")
    )
