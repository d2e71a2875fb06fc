# The kind of an import job is any kind a handler registered (imports.handlers.register), no longer a fixed list
# of choices in this app: a new kind needs no change here. Choices are state only (no SQL on any backend).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='importjob',
            name='kind',
            field=models.CharField(max_length=16, verbose_name='type'),
        ),
    ]
