"""The content hash comes from lib.models.SignedDocument, shared by every signed document:
the field is now blank=True in forms (the check constraint still requires it in the
database). No SQL."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('participants', '0006_pgtrigger_guards'),
    ]

    operations = [
        migrations.AlterField(
            model_name='consent',
            name='content_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
