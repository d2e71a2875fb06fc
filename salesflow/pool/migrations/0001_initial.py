"""The pool policy moves here from the leads app (``leads.LeadPolicy`` → ``pool.PoolPolicy``), keeping its table
``leads_leadpolicy``, its rows and its constraint names: this migration only tells Django's state that the model
now lives in ``pool`` (no SQL); ``leads`` 0005 removes it from the leads app's state. It runs after leads 0004,
so on an existing database the table is already complete, and on a new one leads 0001–0003 create it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("leads", "0004_status_province_index"),
        ("org", "0002_orgunit_robot_url"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="PoolPolicy",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("claim_cap", models.PositiveIntegerField(default=50, verbose_name="leads a rep may hold")),
                        ("contact_limit_hours", models.PositiveIntegerField(
                            default=18, verbose_name="contact within (working hours)")),
                        ("qualify_threshold", models.PositiveSmallIntegerField(default=60,
                                                                               verbose_name="qualifying score")),
                        ("customer_pool_enabled", models.BooleanField(
                            default=True, verbose_name="customers return to the pool automatically")),
                        ("customer_followup_days", models.PositiveIntegerField(
                            default=30, verbose_name="no follow-up for (days)")),
                        ("customer_deal_days", models.PositiveIntegerField(default=90,
                                                                           verbose_name="no deal for (days)")),
                        ("customer_warning_days", models.PositiveIntegerField(
                            default=3, verbose_name="warn the owner (days before)")),
                        ("customer_claim_cap", models.PositiveIntegerField(
                            default=100, verbose_name="customers a rep may hold")),
                        ("customer_exempt_key_accounts", models.BooleanField(
                            default=True, verbose_name="key accounts (tier A) never return")),
                        ("customer_exempt_late_deals", models.BooleanField(
                            default=True, verbose_name="customers with an open opportunity at quote and negotiation "
                                                       "or later never return")),
                        ("unit", models.OneToOneField(blank=True, null=True,
                                                      on_delete=django.db.models.deletion.CASCADE,
                                                      related_name="+", to="org.orgunit", verbose_name="unit")),
                    ],
                    options={
                        "verbose_name": "lead pool policy",
                        "verbose_name_plural": "lead pool policies",
                        "db_table": "leads_leadpolicy",
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("unit__isnull", True)), fields=("unit",),
                                                    name="leads_policy_one_default"),
                            models.CheckConstraint(
                                condition=models.Q(("customer_followup_days__gt", models.F("customer_warning_days"))),
                                name="leads_policy_warning_before_followup"),
                            models.CheckConstraint(
                                condition=models.Q(("customer_deal_days__gt", models.F("customer_warning_days"))),
                                name="leads_policy_warning_before_deal"),
                        ],
                    },
                ),
            ],
        ),
    ]
