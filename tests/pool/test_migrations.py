"""The pool policy moved from the leads app (``leads.LeadPolicy``) to the pool app (``pool.PoolPolicy``) keeping
its table: a database migrated before the move, with policy rows in it, keeps every row and value after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db(transaction=True)

# The last state before the move: leads up to 0004, the pool app not migrated at all.
BEFORE_MOVE = [("leads", "0004_status_province_index"), ("pool", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_policy_rows_survive_the_move_to_the_pool_app():
    try:
        executor = _migrate(BEFORE_MOVE)
        applied = MigrationRecorder(connection).applied_migrations()
        assert ("pool", "0001_initial") not in applied and ("leads", "0004_status_province_index") in applied
        old = executor.loader.project_state([BEFORE_MOVE[0]]).apps
        assert ("pool", "poolpolicy") not in {(m._meta.app_label, m._meta.model_name) for m in old.get_models()}
        OrgUnit, LeadPolicy = old.get_model("org", "OrgUnit"), old.get_model("leads", "LeadPolicy")
        company = OrgUnit.objects.create(name="迁移测试公司", code="MIG", kind="company")
        company.path = f"/{company.pk}/"
        company.save(update_fields=["path"])
        team = OrgUnit.objects.create(name="迁移测试一组", code="MIG-1", kind="team", parent=company,
                                      path=f"/{company.pk}/")
        team.path = f"/{company.pk}/{team.pk}/"
        team.save(update_fields=["path"])
        LeadPolicy.objects.update_or_create(unit=None, defaults={"claim_cap": 45, "qualify_threshold": 65})
        LeadPolicy.objects.create(
            unit=team, claim_cap=7, contact_limit_hours=9, qualify_threshold=80, customer_pool_enabled=False,
            customer_followup_days=12, customer_deal_days=40, customer_warning_days=2, customer_claim_cap=33,
            customer_exempt_key_accounts=False, customer_exempt_late_deals=True)
        rows_before = sorted(LeadPolicy.objects.values_list("id", "unit_id", "claim_cap"))

        _migrate(_latest())

        from salesflow.org.models import OrgUnit as CurrentUnit
        from salesflow.pool.models import PoolPolicy
        from salesflow.pool.policies import policy_for

        assert PoolPolicy._meta.db_table == "leads_leadpolicy"
        assert sorted(PoolPolicy.objects.values_list("id", "unit_id", "claim_cap")) == rows_before
        policy = PoolPolicy.objects.get(unit_id=team.pk)
        assert (policy.claim_cap, policy.contact_limit_hours, policy.qualify_threshold) == (7, 9, 80)
        assert not policy.customer_pool_enabled and not policy.customer_exempt_key_accounts
        assert (policy.customer_followup_days, policy.customer_deal_days, policy.customer_warning_days,
                policy.customer_claim_cap) == (12, 40, 2, 33)
        # The lookup reads the moved rows: the team's own row, and the company default above everything else.
        assert policy_for(CurrentUnit.objects.get(pk=team.pk)).pk == policy.pk
        assert policy_for(CurrentUnit.objects.get(pk=company.pk)).claim_cap == 45
        # And the new model writes to the same table.
        PoolPolicy.objects.filter(pk=policy.pk).update(claim_cap=8)
        with connection.cursor() as cursor:
            cursor.execute("SELECT claim_cap FROM leads_leadpolicy WHERE id = %s", [policy.pk])
            assert cursor.fetchone()[0] == 8
    finally:
        _migrate(_latest())
