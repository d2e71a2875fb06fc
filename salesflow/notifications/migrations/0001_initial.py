# Takes over the approvals app's Notification model without touching its table or rows: the state is created
# here with db_table="approvals_notification" (the table approvals 0001 made), after approvals 0003 dropped the
# model from its own state. The content type row is renamed too, so permissions granted on it survive.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from salesflow.core.model_moves import content_type_follows


forwards, backwards = content_type_follows(('approvals', 'notification'), ('notifications', 'notification'))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('approvals', '0003_notification_moves_to_notifications'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('kind', models.CharField(max_length=32, verbose_name='kind')),
                        ('title', models.CharField(max_length=255, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('url', models.CharField(blank=True, max_length=255, verbose_name='link')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name='notifications', to=settings.AUTH_USER_MODEL,
                                                   verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'approvals_notification',
                        'ordering': ['-id'],
                        'indexes': [models.Index(condition=models.Q(('read_at__isnull', True)),
                                                 fields=['user', '-id'], name='notif_unread_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
