# After-sales (售后服务) stops being an open pipeline stage: a deal is won when the contract is signed (002 E7 成交)
# and service follows the win as the customer's phase (R15). Hand-written data step, then the generated schema.

from django.db import migrations, models
from django.db.models import Max, Min

AFTERSALES, SIGN, WON = "aftersales", "sign", "won"
# pipeline.FUNNEL_RANK before (…, sign 4, aftersales 5, won 6) and after (…, sign 4, won 5) this migration.
OLD_WON_RANK, NEW_SIGN_RANK, NEW_WON_RANK = 6, 4, 5
NOTE = "deals 0006: after-sales follows the win (002 E7 成交)"


def _rewrite_history(changes, *, win_entry_id):
    """One deal's stage history, oldest first: the entry into after-sales that signed the deal becomes the win;
    a stay in after-sales that did not end the pipeline (the deal stepped back, or was lost) counts as a stay in
    签约与交付 and is merged with the stay in 签约与交付 before it. Returns (rows to save, ids to delete)."""
    save, delete = [], []
    rows = list(changes)
    for c in rows:
        if c.id == win_entry_id:
            c.to_stage = WON
            save.append(c)
            continue
        changed = False
        if c.from_stage == AFTERSALES:
            c.from_stage, changed = SIGN, True
        if c.to_stage == AFTERSALES:
            c.to_stage, changed = SIGN, True
        if changed:
            save.append(c)
    # Self-loops sign → sign (an entry into the old after-sales from 签约与交付): the stay before it and the one after
    # it are one stay in 签约与交付; the next row carries their sum.
    for c in rows:
        if c.id != win_entry_id and c.from_stage == SIGN and c.to_stage == SIGN and c.id not in delete:
            following = next((n for n in rows if (n.at, n.id) > (c.at, c.id) and n.id not in delete), None)
            if following is not None and following.from_stage == SIGN:
                following.seconds_in_stage += c.seconds_in_stage
                if following not in save:
                    save.append(following)
            delete.append(c.id)
    return [c for c in save if c.id not in delete], delete


def aftersales_to_won(apps, schema_editor):
    Opportunity = apps.get_model("deals", "Opportunity")
    Change = apps.get_model("deals", "OpportunityStageChange")
    Customer = apps.get_model("crm", "Customer")
    User = apps.get_model("org", "User")
    OrgUnit = apps.get_model("org", "OrgUnit")
    AuditEvent = apps.get_model("audit", "AuditEvent")

    touched = set(Change.objects.filter(to_stage=AFTERSALES).values_list("opportunity_id", flat=True))
    touched |= set(Opportunity.objects.filter(stage=AFTERSALES).values_list("pk", flat=True))
    events = []
    for opportunity in Opportunity.objects.filter(pk__in=touched).order_by("pk"):
        changes = list(Change.objects.filter(opportunity_id=opportunity.pk).order_by("at", "id"))
        entries = [c for c in changes if c.to_stage == AFTERSALES]
        win_entry, drop = None, None
        if opportunity.stage == AFTERSALES and entries:
            win_entry = entries[-1]
        elif opportunity.stage == WON and changes and changes[-1].from_stage == AFTERSALES and entries:
            # Won from after-sales: the contract was signed when it entered after-sales; the later "win" only
            # closed a service phase and is no stay of the pipeline.
            win_entry, drop = entries[-1], changes[-1]
            changes = changes[:-1]
        save, delete = _rewrite_history(changes, win_entry_id=win_entry.id if win_entry else None)
        if drop is not None:
            delete.append(drop.id)
        for c in save:
            c.save(update_fields=["from_stage", "to_stage", "seconds_in_stage"])
        Change.objects.filter(pk__in=delete).delete()

        if win_entry is not None or opportunity.stage == AFTERSALES:
            was = opportunity.stage
            at = win_entry.at if win_entry is not None else (
                opportunity.stage_entered_at or opportunity.updated_at)
            opportunity.stage, opportunity.probability = WON, 100
            opportunity.closed_at = opportunity.stage_entered_at = at
            opportunity.furthest_rank = NEW_WON_RANK
            opportunity.save(update_fields=["stage", "probability", "closed_at", "stage_entered_at", "furthest_rank"])
            if was == AFTERSALES:
                events.append(AuditEvent(
                    at=at, actor=None, actor_name="system", action="opportunity.won",
                    object_type="deals.opportunity", object_id=str(opportunity.pk), object_repr=opportunity.name[:255],
                    customer_id=opportunity.customer_id, before={"stage": AFTERSALES},
                    after={"stage": WON, "closed_at": at.isoformat()}, note=NOTE))
        elif opportunity.furthest_rank >= 5 and opportunity.stage != WON:
            opportunity.furthest_rank = NEW_SIGN_RANK  # reached the old after-sales without being won
            opportunity.save(update_fields=["furthest_rank"])
    # Every other deal: the won rank moves down one (after-sales is gone).
    Opportunity.objects.filter(stage=WON, furthest_rank=OLD_WON_RANK).update(furthest_rank=NEW_WON_RANK)
    Opportunity.objects.exclude(stage=WON).filter(furthest_rank__gt=NEW_SIGN_RANK).update(furthest_rank=NEW_SIGN_RANK)

    # R15: every customer with a won deal is in its service phase: the pool's "no deal" clock has the last win,
    # and a customer without a service owner gets the customer-service supervisor of its unit or the nearest unit
    # above (as crm.selectors.service_supervisor_for), from its first win on.
    wins = {row["customer_id"]: row for row in Opportunity.objects.filter(stage=WON).order_by()
            .values("customer_id").annotate(first=Min("closed_at"), last=Max("closed_at"))}
    service_by_unit = {}
    for user in User.objects.filter(is_active=True, role="service").order_by("pk"):
        service_by_unit.setdefault(user.unit_id, user.pk)
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    for customer in Customer.objects.filter(pk__in=list(wins)).order_by("pk"):
        row = wins[customer.pk]
        fields = []
        if row["last"] is not None and (customer.last_deal_at is None or customer.last_deal_at < row["last"]):
            customer.last_deal_at = row["last"]
            fields.append("last_deal_at")
        if customer.service_owner_id is None:
            ancestors = [int(p) for p in reversed((paths.get(customer.unit_id) or "").split("/")) if p]
            service = next((service_by_unit[pk] for pk in ancestors if pk in service_by_unit), None)
            if service is not None:
                customer.service_owner_id, customer.service_since = service, row["first"]
                fields += ["service_owner", "service_since"]
                events.append(AuditEvent(
                    at=row["first"], actor=None, actor_name="system", action="customer.handed_to_service",
                    object_type="crm.customer", object_id=str(customer.pk), object_repr=customer.name[:255],
                    customer_id=customer.pk, before={"service_owner": None, "service_since": None},
                    after={"service_owner": service,
                           "service_since": row["first"].isoformat() if row["first"] else None}, note=NOTE))
        if fields:
            customer.save(update_fields=fields)
    AuditEvent.objects.bulk_create(events, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_initial'),
        ('crm', '0007_importjob_moves_to_imports'),
        ('deals', '0005_stage_stay_covering_index'),
        ('org', '0002_orgunit_robot_url'),
    ]

    operations = [
        migrations.RunPython(aftersales_to_won, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='opportunity',
            name='deals_opp_stage_valid',
        ),
        migrations.AlterField(
            model_name='opportunity',
            name='stage',
            field=models.CharField(choices=[('contact', 'Contact the prospect'), ('needs', 'Needs analysis'), ('quote', 'Quote and negotiation'), ('sign', 'Sign and deliver'), ('won', 'Won'), ('lost', 'Lost')], default='contact', max_length=16, verbose_name='stage'),
        ),
        migrations.AlterField(
            model_name='opportunitystagechange',
            name='from_stage',
            field=models.CharField(blank=True, choices=[('contact', 'Contact the prospect'), ('needs', 'Needs analysis'), ('quote', 'Quote and negotiation'), ('sign', 'Sign and deliver'), ('won', 'Won'), ('lost', 'Lost')], max_length=16, verbose_name='from'),
        ),
        migrations.AlterField(
            model_name='opportunitystagechange',
            name='to_stage',
            field=models.CharField(choices=[('contact', 'Contact the prospect'), ('needs', 'Needs analysis'), ('quote', 'Quote and negotiation'), ('sign', 'Sign and deliver'), ('won', 'Won'), ('lost', 'Lost')], max_length=16, verbose_name='to'),
        ),
        migrations.AddConstraint(
            model_name='opportunity',
            constraint=models.CheckConstraint(condition=models.Q(('stage__in', ['contact', 'needs', 'quote', 'sign', 'won', 'lost'])), name='deals_opp_stage_valid'),
        ),
    ]
