# Notices became their own app (salesflow.notifications). The table stays where it is: only Django's record of
# which app owns the model changes (notifications 0001 takes it over with db_table="approvals_notification").

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0002_inbox_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name='notification', name='notif_unread_idx'),
                migrations.DeleteModel(name='Notification'),
            ],
            database_operations=[],
        ),
    ]
