# Issue #15: API tokens end. Existing tokens get the default term counted from their creation, and at least a
# week from this migration, so an integration is not cut off without warning.
import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def set_terms(apps, schema_editor):
    ApiToken = apps.get_model("org", "ApiToken")
    floor = timezone.now() + dt.timedelta(days=7)
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ends = max(token.created_at + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS), floor)
        ApiToken.objects.filter(pk=token.pk).update(expires_at=ends)


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0003_user_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(set_terms, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
