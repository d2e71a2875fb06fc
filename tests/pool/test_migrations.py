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


# --- the content type (pool 0002) ------------------------------------------------------------------------------

BEFORE_CONTENT_TYPE = [("pool", "0001_initial")]


def _grant(user, group, permission):
    user.user_permissions.add(permission)
    group.permissions.add(permission)


def _holds(user, group, codename: str, app_label: str) -> bool:
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    return (user.user_permissions.filter(pk=permission.pk).exists()
            and group.permissions.filter(pk=permission.pk).exists())


def test_the_policy_content_type_and_its_permissions_follow_the_model():
    """A database from before pool 0002 with only the old row: the same row is renamed, its permissions with it."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from tests.factories import UserFactory

    user, group = UserFactory(username="policy_admin"), Group.objects.create(name="策略管理")
    current = ContentType.objects.get(app_label="pool", model="poolpolicy")
    try:
        _migrate(BEFORE_CONTENT_TYPE)
        ContentType.objects.clear_cache()
        # Going back gave the row back to the leads app, as a database upgraded to pool 0001 has it.
        old = ContentType.objects.get(pk=current.pk)
        assert (old.app_label, old.model) == ("leads", "leadpolicy")
        assert not ContentType.objects.filter(app_label="pool", model="poolpolicy").exists()
        _grant(user, group, Permission.objects.get(content_type=old, codename="change_leadpolicy"))

        _migrate(_latest())
    finally:
        _migrate(_latest())
        ContentType.objects.clear_cache()

    assert ContentType.objects.get(pk=current.pk).natural_key() == ("pool", "poolpolicy")
    assert not ContentType.objects.filter(app_label="leads", model="leadpolicy").exists()
    assert _holds(user, group, "change_poolpolicy", "pool")
    assert not Permission.objects.filter(codename__endswith="_leadpolicy").exists()
    assert UserFactory._meta.model.objects.get(pk=user.pk).has_perm("pool.change_poolpolicy")


def test_a_stale_policy_content_type_beside_the_new_one_hands_over_its_grants_and_goes():
    """A database migrated after pool 0001 (which did not move the row): ``migrate`` created ``pool.poolpolicy``
    beside the stale ``leads.leadpolicy``. Grants and admin log entries on the old row move to the new one."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from tests.factories import UserFactory

    user, group = UserFactory(username="policy_admin2"), Group.objects.create(name="策略管理二")
    try:
        _migrate(BEFORE_CONTENT_TYPE)
        ContentType.objects.clear_cache()
        stale = ContentType.objects.get(app_label="leads", model="leadpolicy")
        # What post_migrate did after pool 0001: a new content type with its own default permissions.
        new = ContentType.objects.create(app_label="pool", model="poolpolicy")
        for action in ("add", "change", "delete", "view"):
            Permission.objects.create(content_type=new, codename=f"{action}_poolpolicy",
                                      name=f"Can {action} lead pool policy")
        _grant(user, group, Permission.objects.get(content_type=stale, codename="change_leadpolicy"))
        user.user_permissions.add(Permission.objects.get(content_type=new, codename="view_poolpolicy"))
        custom = Permission.objects.create(content_type=stale, codename="approve_policy", name="Approve a policy")
        user.user_permissions.add(custom)
        entry = LogEntry.objects.create(user=user, content_type=stale, object_id="1", object_repr="总部",
                                        action_flag=CHANGE)

        _migrate(_latest())
    finally:
        _migrate(_latest())
        ContentType.objects.clear_cache()

    assert not ContentType.objects.filter(pk=stale.pk).exists()
    assert ContentType.objects.get(pk=new.pk).natural_key() == ("pool", "poolpolicy")
    assert _holds(user, group, "change_poolpolicy", "pool")
    assert set(user.user_permissions.values_list("content_type__app_label", "codename")) == {
        ("pool", "change_poolpolicy"), ("pool", "view_poolpolicy"), ("pool", "approve_policy")}
    assert Permission.objects.get(pk=custom.pk).content_type_id == new.pk
    assert Permission.objects.filter(content_type=new).count() == 5
    assert LogEntry.objects.get(pk=entry.pk).content_type_id == new.pk
