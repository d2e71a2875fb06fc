# Takes over crm's ImportJob model without touching its table or rows: the state is created here with
# db_table="crm_importjob" (the table crm 0001 made), after crm 0007 dropped the model from its own state. The
# content type row is renamed too, so permissions granted on it survive. The new verbose names and the kind
# without a default are state only (Django keeps neither in the database).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from salesflow.core.model_moves import content_type_follows


forwards, backwards = content_type_follows(('crm', 'importjob'), ('imports', 'importjob'))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('crm', '0007_importjob_moves_to_imports'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('kind', models.CharField(choices=[('customers', 'Customers'), ('leads', 'Leads')],
                                                  max_length=16, verbose_name='type')),
                        ('progress', models.PositiveIntegerField(default=0, verbose_name='rows processed')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file')),
                        ('content', models.BinaryField(verbose_name='content')),
                        ('payload', models.BinaryField(default=b'', verbose_name='checked rows')),
                        ('status', models.CharField(choices=[
                            ('uploaded', 'Uploaded, waiting for the column mapping'),
                            ('checking', 'Checking the rows'),
                            ('validated', 'Checked, waiting for confirmation'),
                            ('invalid', 'Has errors, nothing imported'), ('queued', 'Queued'),
                            ('running', 'Importing'), ('done', 'Imported'), ('failed', 'Failed, nothing imported'),
                            ('cancelled', 'Cancelled, nothing imported')],
                            default='uploaded', max_length=16, verbose_name='status')),
                        ('headers', models.JSONField(default=list, verbose_name='columns')),
                        ('mapping', models.JSONField(default=dict, verbose_name='column mapping')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('errors', models.JSONField(default=list, verbose_name='errors')),
                        ('warnings', models.JSONField(default=list, verbose_name='warnings')),
                        ('preview', models.JSONField(default=list, verbose_name='preview')),
                        ('created_count', models.PositiveIntegerField(default=0, verbose_name='imported')),
                        ('message', models.TextField(blank=True, verbose_name='message')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                         related_name='+', to=settings.AUTH_USER_MODEL,
                                                         verbose_name='uploaded by')),
                    ],
                    options={
                        'verbose_name': 'data import',
                        'verbose_name_plural': 'data imports',
                        'db_table': 'crm_importjob',
                        'ordering': ['-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
