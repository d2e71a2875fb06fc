"""The customers' public pool (公海): a customer without an owner waits in the pool of its unit."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def owned_since_from_created(apps, schema_editor):
    # Customers owned before this migration: the pool's clocks start when they were created.
    Customer = apps.get_model("crm", "Customer")
    Customer.objects.filter(owned_since__isnull=True, owner__isnull=False).update(owned_since=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0005_followup_pool_service_import_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="owner",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="customers", to=settings.AUTH_USER_MODEL, verbose_name="owner"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(condition=models.Q(("owner__isnull", True)), fields=["unit", "-released_at"],
                               name="crm_cust_pool_idx"),
        ),
        migrations.RunPython(owned_since_from_created, migrations.RunPython.noop),
    ]
