"""The family-portal permissions staff recorded one scope at a time (FamilyConsent, from before
consents were signed electronically) become signed releases (Consent), so one consent model
and one revocation rule remain. Migration 0009 drops the old table.

How an old row is carried over (decisions of the project lead, issue 16):

- Rows of one family contact given, ending and revoked on the same days become one release
  naming each of their scopes (the scopes are the first three kinds of ConsentInfo, same
  values), to that contact, disclosed by the contact's program. In a program that treats
  substance use it is a 42 CFR Part 2 consent (kind part2), as the demo's conversion already
  did: the accounting of disclosures refuses a general release from such a program, so a
  release there would have closed the family page. Elsewhere it is a release (kind release).
- The signature: nobody typed one. `typed_name` carries the marker text
  "recorded by staff before signed releases" (models.STAFF_RECORDED_SIGNATURE); the
  statement says the same in words. Signed on the day the permission was given, at the start
  of that day in the program's time zone; `recorded_by` is the staff member who recorded it.
- The ending: an old expiry date stays that date. An old permission "until revoked" becomes
  one that ends on discharge from the episode (a release must name an ending; this is the
  nearest the Consent model has): the participant's episode in the contact's program open on
  the day it was given, else their latest episode there. A participant already discharged
  from that episode therefore no longer shares through it.
- The revocation: an old revoked date becomes a revocation at the start of that day in the
  program's time zone, how = "staff" (recorded by staff), by nobody named (the old row did not
  say who). From here on every consent follows one rule: revoked the moment it is recorded.
- Its content hash is taken over the same elements Consent.signed_content lists, in the one
  encoding of lib.signing (copied here so this migration does not move if either changes),
  so the release verifies like any other.

Disclosures already recorded under an old permission keep their empty consent and the basis
they name in words (the accounting is append-only). Going back (to 0007) keeps the releases:
the old rows are not rebuilt.
"""

import hashlib
import json
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models

MARKER = "recorded by staff before signed releases"
FAMILY_INFO = ("family_schedule", "attendance", "program_contact")
INFO_LABELS = {
    "family_schedule": "family-session schedule",
    "attendance": "attendance and hours",
    "program_contact": "program and care-team contact",
}
PURPOSE = "Family-portal access, recorded by staff before signed releases"


def _start_of(day, zone):
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))


def _day(day):
    return f"{day:%B} {day.day}, {day.year}"


def _digest(content):
    encoded = json.dumps(content, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def _episode_for(Episode, contact, on):
    episodes = list(
        Episode.objects.filter(
            participant_id=contact.participant_id, program_id=contact.program_id
        ).order_by("-inquiry_on", "-pk")
    )
    for episode in episodes:
        if episode.inquiry_on <= on and (
            episode.discharged_on is None or episode.discharged_on >= on
        ):
            return episode
    return episodes[0] if episodes else None


def _statement(participant, program, recipient, information, expires, granted_on):
    shared = "; ".join(INFO_LABELS[value] for value in information)
    title = (
        "Consent to disclose substance use disorder treatment records (42 CFR part 2)"
        if program.treats_sud
        else "Release of information"
    )
    legal_name = f"{participant.legal_first_name} {participant.legal_last_name}"
    return (
        f"{title}, recorded by staff before signed releases. "
        f"{legal_name} gave {program.name}, {program.organization.name} permission "
        f"on {_day(granted_on)} to show {recipient} in the family portal: {shared}. "
        "Staff recorded the permission; no signature was typed. "
        f"It ends {expires}. It may be revoked at any time. "
        f"Signed: {MARKER}."
    )


def forwards(apps, schema_editor):
    FamilyConsent = apps.get_model("participants", "FamilyConsent")
    Consent = apps.get_model("participants", "Consent")
    Episode = apps.get_model("participants", "Episode")
    rows = FamilyConsent.objects.select_related(
        "participant", "contact__program__organization"
    ).order_by("contact_id", "granted_on", "pk")
    groups = {}
    for row in rows:
        key = (row.contact_id, row.granted_on, row.expires_on, row.revoked_on)
        groups.setdefault(key, []).append(row)
    releases = []
    for (_, granted_on, expires_on, revoked_on), group in groups.items():
        first = group[0]
        contact, participant = first.contact, first.participant
        program = contact.program
        zone = program.time_zone
        scopes = {row.scope for row in group}
        information = [value for value in FAMILY_INFO if value in scopes]
        episode = _episode_for(Episode, contact, granted_on)
        if expires_on is not None:
            expiry, expires = "date", f"on {_day(expires_on)}"
        else:
            expiry, expires = "discharge", "when the participant is discharged from this episode"
        recipient = f"{contact.name} ({contact.relationship})"
        signed_at = _start_of(granted_on, zone)
        release = Consent(
            organization_id=first.organization_id,
            public_id=first.public_id,
            participant_id=participant.pk,
            episode=episode,
            program=program,
            kind="part2" if program.treats_sud else "release",
            recipient_contact=contact,
            recipient_name="",
            recipient_organization="",
            recipient_address="",
            information=information,
            purpose=PURPOSE,
            expiry=expiry,
            expires_on=expires_on,
            typed_name=MARKER,
            signed_on=granted_on,
            signed_at=signed_at,
            recorded_by_id=first.recorded_by_id,
            statement=_statement(participant, program, recipient, information, expires, granted_on),
        )
        if revoked_on is not None:
            release.revoked_at = _start_of(revoked_on, zone)
            release.revoked_on = revoked_on
            release.revoked_how = "staff"
        # The elements Consent.signed_content lists, as it lists them.
        release.content_hash = _digest(
            {
                "kind": release.kind,
                "participant": str(participant.public_id),
                "program": str(program.public_id),
                "episode": str(episode.public_id) if episode else "",
                "recipient": recipient,
                "recipient_address": "",
                "information": information,
                "purpose": PURPOSE,
                "expiry": expiry,
                "expires_on": expires_on.isoformat() if expires_on else "",
                "typed_name": MARKER,
                "signed_at": signed_at.astimezone(UTC).isoformat(),
                "statement": release.statement,
            }
        )
        releases.append(release)
    Consent.objects.bulk_create(releases)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0007_signed_document_base"),
        ("programs", "0005_program_plan_and_note_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="consent",
            name="consent_revocation_complete",
        ),
        migrations.AlterField(
            model_name="consent",
            name="revoked_how",
            field=models.CharField(
                blank=True,
                choices=[
                    ("writing", "In writing"),
                    ("verbal", "Verbally, noted by staff"),
                    ("portal", "By the participant in the portal"),
                    ("staff", "Recorded by staff"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("revoked_at__isnull", True),
                        ("revoked_on__isnull", True),
                        ("revoked_how", ""),
                        ("revoked_by__isnull", True),
                    ),
                    models.Q(
                        ("revoked_at__isnull", False),
                        ("revoked_on__isnull", False),
                        ("revoked_how__in", ["writing", "verbal", "portal", "staff"]),
                    ),
                    _connector="OR",
                ),
                name="consent_revocation_complete",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
