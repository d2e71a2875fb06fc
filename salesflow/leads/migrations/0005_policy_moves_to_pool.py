"""The pool policy (``LeadPolicy``) now lives in the pool app (``pool.PoolPolicy``, migration pool 0001) with the
same table: here it only leaves the leads app's state. No SQL, no data touched; nothing else points at it."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("leads", "0004_status_province_index"),
        ("pool", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="LeadPolicy")],
        ),
    ]
