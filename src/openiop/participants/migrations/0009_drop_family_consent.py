"""The single-scope family permissions are signed releases now (0008): drop their table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0008_family_permissions_become_releases"),
    ]

    operations = [
        migrations.RemoveField(model_name="familyconsent", name="contact"),
        migrations.RemoveField(model_name="familyconsent", name="organization"),
        migrations.RemoveField(model_name="familyconsent", name="participant"),
        migrations.RemoveField(model_name="familyconsent", name="recorded_by"),
        migrations.DeleteModel(name="FamilyConsent"),
    ]
