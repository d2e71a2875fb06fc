"""Models that moved to another app keep their audit rows under the old object type (the trail is append-only):
filtering by either name finds both, and old rows are labelled like new ones, so a record's history is one."""

import pytest
from django.urls import reverse

from salesflow.audit.labels import OBJECT_TYPE_RENAMED, current_object_type, object_type_names
from salesflow.audit.models import AuditEvent
from salesflow.audit.selectors import AuditFilters, audit_event_list, readable_changes
from salesflow.pool import services as pool
from salesflow.pool.models import PoolPolicy

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def test_every_old_name_points_at_a_model_of_today():
    from django.apps import apps

    for old, new in OBJECT_TYPE_RENAMED.items():
        assert apps.get_model(new)._meta.label_lower == new
        with pytest.raises(LookupError):
            apps.get_model(old)
        assert current_object_type(old) == new and object_type_names(old) == object_type_names(new)
    assert object_type_names("crm.customer") == ["crm.customer"]
    assert object_type_names("pool.poolpolicy") == ["pool.poolpolicy", "leads.leadpolicy"]


def test_a_policy_history_written_before_and_after_the_move_reads_as_one(org, client_for):
    policy = PoolPolicy.objects.create(unit=org.east_team, claim_cap=20)
    # Written before the move, under the model's old name (as stored rows have it).
    old = AuditEvent.objects.create(action="lead_policy.saved", actor=org.admin, actor_name="admin",
                                    object_type="leads.leadpolicy", object_id=str(policy.pk),
                                    object_repr=org.east_team.name, before={"claim_cap": 50},
                                    after={"claim_cap": 20})
    data = {field: getattr(policy, field) for field in (*pool.POLICY_NUMBERS, *pool.POLICY_FLAGS)}
    pool.policy_save(by=fresh(org.admin), unit=org.east_team, data={**data, "claim_cap": "30"})
    new = AuditEvent.objects.get(action="lead_policy.saved", object_type="pool.poolpolicy")

    for asked in ("pool.poolpolicy", "leads.leadpolicy"):
        found = audit_event_list(user=fresh(org.admin),
                                 filters=AuditFilters(object_type=asked, object_id=str(policy.pk)))
        assert {e.pk for e in found} == {old.pk, new.pk}, asked

    assert old.object_label == new.object_label == str(PoolPolicy._meta.verbose_name)
    rendered = {e.pk: e.readable for e in readable_changes([old, new])}
    claim_cap = str(PoolPolicy._meta.get_field("claim_cap").verbose_name)
    assert (claim_cap, 50, 20) in rendered[old.pk]  # the field's label, as for a row written today
    assert any(label == claim_cap for label, _before, _after in rendered[new.pk])

    page = client_for(org.admin).get(reverse("audit:event_list"),
                                     {"object_type": "pool.poolpolicy", "object_id": str(policy.pk)})
    html = page.content.decode()
    assert page.status_code == 200 and html.count(str(PoolPolicy._meta.verbose_name)) >= 2
    assert "leads.leadpolicy" not in html


def test_old_import_job_and_notification_rows_are_labelled_by_todays_model(org):
    from salesflow.imports.models import ImportJob
    from salesflow.notifications.models import Notification

    for old, model in (("crm.importjob", ImportJob), ("approvals.notification", Notification)):
        event = AuditEvent.objects.create(action="test.moved", actor_name="admin", object_type=old, object_id="1")
        assert event.object_label == str(model._meta.verbose_name)
        found = audit_event_list(user=fresh(org.admin), filters=AuditFilters(object_type=model._meta.label_lower))
        assert event.pk in {e.pk for e in found}
