"""Issue #13, seed 002 D2/E4/D5: the 营销主管's confirmation (D2.4) is no longer a state but a record on the file
(confirmed_by/confirmed_at, kept), so "confirmed" prospects go back to "registered"; E4 (the consultant builds the
customer file and sends it) gets its state and fields; offices may name their 营销主管 (OfficeMarketingLead)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def confirmed_is_not_a_state(apps, schema_editor):
    apps.get_model("reception", "Prospect").objects.filter(status="confirmed").update(status="registered")


def back_to_confirmed(apps, schema_editor):
    Prospect = apps.get_model("reception", "Prospect")
    Prospect.objects.filter(status="registered", confirmed_at__isnull=False).update(status="confirmed")
    # A file sent but not yet registered had no state of its own before: it waits as "confirmed".
    Prospect.objects.filter(status="file_submitted").update(status="confirmed", customer=None)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_orgunit_robot_url'),
        ('reception', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OfficeMarketingLead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'office marketing supervisor',
                'verbose_name_plural': 'office marketing supervisors',
            },
        ),
        migrations.RemoveConstraint(
            model_name='prospect',
            name='reception_prospect_status_valid',
        ),
        migrations.RemoveConstraint(
            model_name='prospect',
            name='reception_prospect_filed_has_customer',
        ),
        migrations.AddField(
            model_name='prospect',
            name='customer_submitted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='customer file sent'),
        ),
        migrations.AddField(
            model_name='prospect',
            name='customer_submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='customer file sent by'),
        ),
        migrations.AddField(
            model_name='prospect',
            name='customer_submitted_note',
            field=models.CharField(blank=True, default='', max_length=500, verbose_name='note to the supervisor'),
        ),
        migrations.AlterField(
            model_name='prospect',
            name='status',
            field=models.CharField(choices=[('registered', 'Registered'), ('file_submitted', 'Customer file sent to the supervisor'), ('customer_filed', 'Customer file registered'), ('deal_done', 'Deal done'), ('handed_over', 'Handed to customer service'), ('dropped', 'Dropped')], default='registered', max_length=16, verbose_name='status'),
        ),
        migrations.RunPython(confirmed_is_not_a_state, back_to_confirmed),
        migrations.AddConstraint(
            model_name='prospect',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['registered', 'file_submitted', 'customer_filed', 'deal_done', 'handed_over', 'dropped'])), name='reception_prospect_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='prospect',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['file_submitted', 'customer_filed', 'deal_done', 'handed_over']), _negated=True), ('customer__isnull', False), _connector='OR'), name='reception_prospect_filed_has_customer'),
        ),
        migrations.AddField(
            model_name='officemarketinglead',
            name='named_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='named by'),
        ),
        migrations.AddField(
            model_name='officemarketinglead',
            name='office',
            field=models.OneToOneField(limit_choices_to={'kind': 'office'}, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.orgunit', verbose_name='sales office'),
        ),
        migrations.AddField(
            model_name='officemarketinglead',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='marketing supervisor'),
        ),
    ]
