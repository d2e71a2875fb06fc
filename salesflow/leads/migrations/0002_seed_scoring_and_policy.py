"""Default screening rules (need weighs most, then purchasing power, then credit) and the company pool policy."""

from django.db import migrations

POINTS = {
    "need": {"high": 40, "medium": 25, "low": 10, "unknown": 0},
    "purchasing_power": {"high": 35, "medium": 20, "low": 5, "unknown": 0},
    "credit": {"high": 25, "medium": 15, "low": 0, "unknown": 5},
}


def seed(apps, schema_editor):
    Rule = apps.get_model("leads", "LeadScoringRule")
    Policy = apps.get_model("leads", "LeadPolicy")
    for assessment, levels in POINTS.items():
        for level, points in levels.items():
            Rule.objects.get_or_create(assessment=assessment, level=level, defaults={"points": points})
    if not Policy.objects.filter(unit__isnull=True).exists():
        Policy.objects.create(unit=None, claim_cap=50, contact_limit_hours=18, qualify_threshold=60)


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
