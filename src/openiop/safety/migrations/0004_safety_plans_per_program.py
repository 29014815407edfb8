"""Safety plans belong to the program they were written in (issue 14).

Every existing version keeps the episode it was written in, and takes that episode's program.
Until now a signature in one program marked the other program's plan "replaced": for each
participant and program whose plans are all marked replaced, the last one signed there is put
back in force. Version numbers are kept (the signed content hash covers them); new versions
count per program.
"""

import django.db.models.deletion
from django.db import migrations, models


def assign_programs(apps, schema_editor):
    Version = apps.get_model("safety", "SafetyPlanVersion")
    for version in Version.objects.select_related("episode").iterator():
        Version.objects.filter(pk=version.pk).update(program_id=version.episode.program_id)
    pairs = Version.objects.values_list("participant_id", "program_id").distinct()
    for participant_id, program_id in pairs:
        rows = Version.objects.filter(participant_id=participant_id, program_id=program_id)
        if rows.filter(status="signed").exists():
            continue
        latest = rows.filter(status="superseded").order_by("-signed_at", "-id").first()
        if latest is not None:
            Version.objects.filter(pk=latest.pk).update(status="signed")


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_program_plan_and_note_settings"),
        ("participants", "0003_consents_signed_electronically"),
        ("safety", "0003_safety_plans"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="safetyplanversion", name="safety_plan_version_unique"),
        migrations.RemoveConstraint(model_name="safetyplanversion", name="safety_plan_one_draft"),
        migrations.RemoveConstraint(model_name="safetyplanversion", name="safety_plan_one_signed"),
        migrations.AddField(
            model_name="safetyplanversion",
            name="program",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.program",
            ),
        ),
        migrations.RunPython(assign_programs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="safetyplanversion",
            name="program",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.program",
            ),
        ),
        migrations.AlterModelOptions(
            name="safetyplanversion",
            options={"ordering": ["participant", "program", "-version"]},
        ),
        migrations.AddConstraint(
            model_name="safetyplanversion",
            constraint=models.UniqueConstraint(
                fields=("participant", "program", "version"),
                name="safety_plan_version_unique_in_program",
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyplanversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")),
                fields=("participant", "program"),
                name="safety_plan_one_draft_in_program",
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyplanversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "signed")),
                fields=("participant", "program"),
                name="safety_plan_one_signed_in_program",
            ),
        ),
    ]
