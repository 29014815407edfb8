"""Family contacts belong to the program that recorded them, and the accounting of
disclosures (issue 14).

Family contacts

Each existing contact is given the program that used it, in this order of evidence:
1. the programs of the consents naming it (releases, Part 2 consents) and of the family
   sessions it was invited to;
2. the programs of the staff member who recorded a family-portal permission for it;
3. the programs of the staff member who added it (the timeline's "Family contact added");
4. the participant's most recent episode.
When the evidence names more than one program, the contact stays with the first (and keeps its
portal account) and a copy is made for each other program, which takes over that program's
consents and family sessions: each program then holds its own record of the same person.
Timeline entries about a contact are moved to its program, so other programs stop seeing them.

The accounting of disclosures (Disclosure) is append-only: triggers refuse UPDATE and DELETE
on PostgreSQL and SQLite (openiop.lib.append_only).
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from openiop.lib import append_only


def _evidence(apps, contact):
    Consent = apps.get_model("participants", "Consent")
    FamilyConsent = apps.get_model("participants", "FamilyConsent")
    Episode = apps.get_model("participants", "Episode")
    StaffAssignment = apps.get_model("accounts", "StaffAssignment")
    Event = apps.get_model("audit", "Event")
    FamilyAttendee = apps.get_model("scheduling", "FamilyAttendee")

    enrolled = list(
        Episode.objects.filter(participant_id=contact.participant_id)
        .order_by("-inquiry_on", "-id")
        .values_list("program_id", flat=True)
    )
    used = list(
        Consent.objects.filter(recipient_contact_id=contact.pk)
        .exclude(program_id=None)
        .order_by("signed_at", "id")
        .values_list("program_id", flat=True)
    )
    used += list(
        FamilyAttendee.objects.filter(contact_id=contact.pk)
        .order_by("session__starts_at", "id")
        .values_list("session__program_id", flat=True)
    )
    used = list(dict.fromkeys(used))
    if used:
        return used

    def of_staff(user_id):
        mine = set(
            StaffAssignment.objects.filter(user_id=user_id).values_list("program_id", flat=True)
        )
        return [p for p in dict.fromkeys(enrolled) if p in mine]

    recorders = FamilyConsent.objects.filter(contact_id=contact.pk).values_list(
        "recorded_by_id", flat=True
    )
    for user_id in recorders:
        programs = of_staff(user_id)
        if len(programs) == 1:
            return programs
    added = (
        Event.objects.filter(
            participant_id=contact.participant_id,
            kind="family_contact",
            summary__contains=contact.name,
        )
        .exclude(actor_id=None)
        .order_by("at", "id")
        .values_list("actor_id", flat=True)
        .first()
    )
    if added is not None:
        programs = of_staff(added)
        if len(programs) == 1:
            return programs
    return enrolled[:1]


def assign_programs(apps, schema_editor):
    Contact = apps.get_model("participants", "FamilyContact")
    Consent = apps.get_model("participants", "Consent")
    Program = apps.get_model("programs", "Program")
    Event = apps.get_model("audit", "Event")
    FamilyAttendee = apps.get_model("scheduling", "FamilyAttendee")
    for contact in list(Contact.objects.all()):
        programs = _evidence(apps, contact)
        if not programs:
            fallback = Program.objects.filter(organization_id=contact.organization_id).first()
            programs = [fallback.pk]
        first, *others = programs
        Contact.objects.filter(pk=contact.pk).update(program_id=first)
        for program_id in others:
            copy = Contact.objects.create(
                public_id=uuid.uuid4(),
                organization_id=contact.organization_id,
                participant_id=contact.participant_id,
                program_id=program_id,
                name=contact.name,
                relationship=contact.relationship,
                phone=contact.phone,
                email=contact.email,
                is_emergency_contact=contact.is_emergency_contact,
            )
            Consent.objects.filter(recipient_contact_id=contact.pk, program_id=program_id).update(
                recipient_contact_id=copy.pk
            )
            FamilyAttendee.objects.filter(
                contact_id=contact.pk, session__program_id=program_id
            ).update(contact_id=copy.pk)
        Event.objects.filter(
            participant_id=contact.participant_id,
            program_id=None,
            kind__in=["family_contact", "consent"],
            summary__contains=contact.name,
        ).update(program_id=first)


def disclosures_append_only(apps, schema_editor):
    append_only.install(schema_editor.connection, ["participants_disclosure"])


def disclosures_writable(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        append_only.drop_sqlite(connection, ["participants_disclosure"])
    elif connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS participants_disclosure_append_only ON participants_disclosure"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_supervisor"),
        ("audit", "0004_append_only_function_names_table"),
        ("participants", "0003_consents_signed_electronically"),
        ("programs", "0005_program_plan_and_note_settings"),
        ("scheduling", "0003_feeds_and_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="familycontact",
            name="program",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="family_contacts",
                to="programs.program",
            ),
        ),
        migrations.RunPython(assign_programs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="familycontact",
            name="program",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="family_contacts",
                to="programs.program",
            ),
        ),
        migrations.CreateModel(
            name='Disclosure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('basis', models.CharField(max_length=300)),
                ('recipient', models.CharField(max_length=600)),
                ('information', models.JSONField(default=list)),
                ('description', models.CharField(max_length=300)),
                ('channel', models.CharField(choices=[('pdf', 'PDF handed over'), ('print', 'Printed copy handed over'), ('fhir', 'FHIR export'), ('family_portal', 'Seen in the family portal'), ('review_packet', 'Review packet to a payer'), ('bulk_fhir', 'Bulk FHIR export')], max_length=20)),
                ('object_type', models.CharField(blank=True, max_length=60)),
                ('object_id', models.CharField(blank=True, max_length=64)),
                ('disclosed_at', models.DateTimeField()),
                ('disclosed_on', models.DateField()),
                ('redisclosure_notice', models.BooleanField(default=False)),
                ('consent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='disclosures', to='participants.consent')),
                ('disclosed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('episode', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='participants.episode')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='programs.organization')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='disclosures', to='participants.participant')),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programs.program')),
                ('recipient_contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='participants.familycontact')),
            ],
            options={
                'ordering': ['-disclosed_at', '-id'],
                'indexes': [models.Index(fields=['participant', 'disclosed_at'], name='participant_partici_0901de_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('channel__in', ['pdf', 'print', 'fhir', 'family_portal', 'review_packet', 'bulk_fhir'])), name='disclosure_channel_valid'), models.CheckConstraint(condition=models.Q(models.Q(('recipient', ''), _negated=True), models.Q(('basis', ''), _negated=True), models.Q(('information', []), _negated=True)), name='disclosure_names_recipient_basis_information'), models.UniqueConstraint(condition=models.Q(('channel', 'family_portal')), fields=('consent', 'recipient_contact', 'disclosed_on'), name='disclosure_family_portal_once_a_day')],
            },
        ),
        migrations.RunPython(disclosures_append_only, disclosures_writable),
    ]
