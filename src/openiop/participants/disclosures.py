"""The accounting of disclosures: every time a participant's information leaves the program
that holds it, one row says who received it, under which consent, what, when and how.

One function writes it, `disclosure_record`, for every room that discloses: a discharge
summary handed to an outside provider (discharge), a FHIR export (measures), the family portal
(portal), and later the billing room's review packets and the director's bulk FHIR export. It
refuses a disclosure the consent does not cover: the consent must be the disclosing program's,
signed, not revoked, not expired, name the recipient and cover every kind of information that
leaves. For a program that treats substance use only a 42 CFR Part 2 consent covers anything,
and the disclosure carries the redisclosure notice (participants/part2.py).

The participant reads and downloads the list in the portal (`disclosures_for_participant`);
staff see the rows of their own programs on the chart (`disclosures_for_staff`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.lib.timezones import today_in
from openiop.participants.consents import DISCLOSURE_KINDS, _covers
from openiop.participants.models import (
    Consent,
    ConsentInfo,
    ConsentKind,
    Disclosure,
    DisclosureChannel,
    Episode,
    Participant,
)

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.programs.models import Program


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def consent_basis(consent: Consent) -> str:
    """The consent in words, as the accounting shows it."""
    return f"{consent.get_kind_display()} signed {_day(consent.signed_on)}"


def recipient_text(consent: Consent) -> str:
    recipient = consent.recipient_label
    if consent.recipient_address:
        recipient = f"{recipient}, {consent.recipient_address}"
    return recipient


def consent_covers(consent: Consent, program: Program, information: Sequence[str]) -> bool:
    """Whether the consent lets each kind of `information` of `program` leave it."""
    if consent.program_id != program.pk or consent.kind not in DISCLOSURE_KINDS:
        return False
    if program.treats_sud:
        return consent.kind == ConsentKind.PART2 and all(_covers(consent, i) for i in information)
    return all(i in consent.information for i in information)


def covering_consents(
    *, participant: Participant, program: Program, information: Sequence[str], on: date
) -> list[Consent]:
    """The participant's consents that let `information` of `program` leave it on `on`: the
    choices a "disclose to..." step offers."""
    candidates = (
        Consent.objects.filter(
            participant=participant,
            program=program,
            kind__in=list(DISCLOSURE_KINDS),
            revoked_at__isnull=True,
        )
        .select_related("episode", "recipient_contact", "program")
        .order_by("-signed_at", "-id")
    )
    return [c for c in candidates if c.is_active_on(on) and consent_covers(c, program, information)]


def _check_information(information: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(information))
    if not chosen:
        raise ValidationError("Say what information leaves the program.")
    unknown = [i for i in chosen if i not in ConsentInfo.values]
    if unknown:
        raise ValueError(f"Unknown kind of information: {unknown!r}")
    return chosen


def _locked_consent(
    consent: Consent, *, participant: Participant, program: Program, information: Sequence[str]
) -> Consent:
    # Lock it: a disclosure and a revocation recorded at the same moment cannot both win.
    locked = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("episode", "recipient_contact", "program")
        .get(pk=consent.pk)
    )
    if locked.participant_id != participant.pk:
        raise ValidationError("This consent is someone else's.")
    if locked.program_id != program.pk:
        raise ValidationError(
            f"This consent was given in another program; {program.name} discloses only under "
            "its own consents."
        )
    if not locked.is_active_on(today_in(program.time_zone)):
        raise ValidationError(
            "This consent is no longer in force (revoked, expired or ended on discharge)."
        )
    if not consent_covers(locked, program, information):
        if program.treats_sud and locked.kind != ConsentKind.PART2:
            raise ValidationError(
                "Records of a substance-use program leave it only under a 42 CFR Part 2 consent."
            )
        raise ValidationError("This consent does not cover what would be disclosed.")
    return locked


@transaction.atomic
def disclosure_record(
    *,
    participant: Participant,
    program: Program,
    consent: Consent | None,
    information: Sequence[str],
    description: str,
    channel: str,
    actor: User | None,
    episode: Episode | None = None,
    object_type: str = "",
    object_id: str = "",
    now: datetime | None = None,
) -> Disclosure:
    """Record that `information` of `program` about `participant` left it, under `consent`.

    Refused (ValidationError, nothing written) without a consent or when the consent does not
    cover it. Rows written before every family permission was a signed release keep their
    consent empty and name their basis in words. Family-portal views are counted once a day
    per consent and family member: a second call that day returns the first row."""
    if channel not in DisclosureChannel.values:
        raise ValueError(f"Unknown disclosure channel: {channel!r}")
    chosen = _check_information(information)
    description = " ".join(description.split())[:300]
    if not description:
        raise ValidationError("Say what was disclosed.")
    now = now or timezone.now()
    day = today_in(program.time_zone)
    if consent is None:
        raise ValidationError("A disclosure needs the consent that allows it.")
    consent = _locked_consent(consent, participant=participant, program=program, information=chosen)
    basis = consent_basis(consent)
    recipient = recipient_text(consent)
    recipient_contact = consent.recipient_contact
    episode = episode or consent.episode
    if channel == DisclosureChannel.FAMILY_PORTAL:
        earlier = Disclosure.objects.filter(
            participant=participant,
            program=program,
            consent=consent,
            recipient_contact=recipient_contact,
            channel=channel,
            disclosed_on=day,
        ).first()
        if earlier is not None:
            return earlier
    row = Disclosure(
        organization_id=participant.organization_id,
        participant=participant,
        program=program,
        episode=episode,
        consent=consent,
        basis=basis[:300],
        recipient=recipient[:600],
        recipient_contact=recipient_contact,
        information=[i for i in ConsentInfo.values if i in chosen],
        description=description,
        channel=channel,
        object_type=object_type,
        object_id=object_id,
        disclosed_at=now,
        disclosed_on=day,
        disclosed_by=actor,
        redisclosure_notice=program.treats_sud,
    )
    row.full_clean(exclude=["participant", "program", "episode", "consent", "recipient_contact"])
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # The same family member opened the page twice at once: one row for the day.
        return Disclosure.objects.get(
            consent=consent,
            recipient_contact=recipient_contact,
            disclosed_on=day,
            channel=DisclosureChannel.FAMILY_PORTAL,
        )
    if channel != DisclosureChannel.FAMILY_PORTAL:
        event_record(
            participant=participant,
            kind=EventKind.DISCLOSURE,
            summary=f"{program.name}: {description} disclosed to {recipient} ({basis})",
            actor=actor,
            program=program,
            at=now,
        )
    return row


# --- reads -----------------------------------------------------------------------------------


def _listing(queryset: QuerySet[Disclosure]) -> QuerySet[Disclosure]:
    return queryset.select_related("program", "consent", "disclosed_by", "recipient_contact")


def disclosures_for_participant(participant: Participant) -> QuerySet[Disclosure]:
    """Everything disclosed about the participant, from every program: their own accounting."""
    return _listing(Disclosure.objects.filter(participant=participant))


def disclosures_for_staff(
    participant: Participant, program_ids: Sequence[int]
) -> QuerySet[Disclosure]:
    """What the viewer's programs disclosed about the participant (another program's
    disclosures are that program's records)."""
    return _listing(Disclosure.objects.filter(participant=participant, program_id__in=program_ids))
