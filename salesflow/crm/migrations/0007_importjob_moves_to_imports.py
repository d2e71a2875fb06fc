# The import framework became its own app (salesflow.imports). The table stays where it is: only Django's record
# of which app owns the model changes (imports 0001 takes it over with db_table="crm_importjob").

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0006_customer_pool_owner'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportJob')],
            database_operations=[],
        ),
    ]
