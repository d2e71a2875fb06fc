"""The one data-scope point (org.scope): ``scope_q`` and the ``ScopedQuerySet`` base every business queryset
reads through, proven on its own (the apps' scope tests prove each model's declaration)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from salesflow.crm.models import Customer
from salesflow.org.scope import ScopedQuerySet, scope_q

from ..conftest import fresh
from ..factories import CustomerFactory


class OwnedBy(ScopedQuerySet):
    """A queryset over customers that reads the owner and unit from the declared fields."""


class CreatedBy(ScopedQuerySet):
    scope_owner = "created_by_id"
    scope_owner_always = True


class WithExtra(ScopedQuerySet):
    calls = 0

    def extra_scope(self, user, scope):
        type(self).calls += 1
        return Q(name__startswith="北京")


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


def test_owner_and_unit_fields_give_own_subtree_or_all(org):
    qs = OwnedBy(model=Customer)
    assert names(qs.visible_to(fresh(org.rep))) == {org.cust_rep.name}
    assert names(qs.visible_to(fresh(org.supervisor))) == {org.cust_rep.name, org.cust_rep_b.name}
    assert names(qs.visible_to(fresh(org.manager))) == {org.cust_rep.name, org.cust_rep_b.name, org.cust_rep3.name}
    assert names(qs.visible_to(fresh(org.director))) == names(Customer.objects.all())
    assert names(qs.visible_to(fresh(org.planner))) == set()
    assert names(qs.visible_to(AnonymousUser())) == set()


def test_leadership_gets_no_filter_at_all(org):
    assert scope_q(fresh(org.director)) is None
    qs = OwnedBy(model=Customer)
    assert str(qs.visible_to(fresh(org.director)).query) == str(qs.all().query)


def test_declared_owner_field_and_owner_always(org):
    """``scope_owner`` names the field; ``scope_owner_always`` keeps the owner's own records for a unit head
    (their unit moved away) and for a role without data scope."""
    north_made = CustomerFactory(name="北京自建客户", owner=org.rep2, created_by=org.supervisor)
    planner_made = CustomerFactory(name="计划科登记客户", owner=org.rep2, created_by=org.planner)
    qs = CreatedBy(model=Customer)
    assert north_made.name in names(qs.visible_to(fresh(org.supervisor)))
    assert north_made.name not in names(OwnedBy(model=Customer).visible_to(fresh(org.supervisor)))
    assert names(qs.visible_to(fresh(org.planner))) == {planner_made.name}
    # The owner field is created_by: the rep sees the customer they made, not the one made for rep2.
    assert names(qs.visible_to(fresh(org.rep))) == {org.cust_rep.name}


def test_extra_scope_is_ored_in_except_for_leadership(org):
    WithExtra.calls = 0
    qs = WithExtra(model=Customer)
    assert names(qs.visible_to(fresh(org.rep))) == {org.cust_rep.name, org.cust_rep2.name}
    assert names(qs.visible_to(fresh(org.planner))) == {org.cust_rep2.name}
    assert WithExtra.calls == 2
    assert names(qs.visible_to(fresh(org.director))) == names(Customer.objects.all())
    assert WithExtra.calls == 2  # leadership already sees everything: the extra scope is not even built
    assert names(qs.visible_to(AnonymousUser())) == set()


def test_one_read_may_stand_another_extra_scope_in_for_the_models(org):
    """The public pool reads customers with its own reach instead of the customers' extra scope."""
    qs = WithExtra(model=Customer)
    assert names(qs.visible_to(fresh(org.rep), extra_scope=lambda user, scope: None)) == {org.cust_rep.name}
    reach = qs.visible_to(fresh(org.rep), extra_scope=lambda user, scope: Q(name__startswith="杭州"))
    assert names(reach) == {org.cust_rep.name, org.cust_rep3.name}


def test_inactive_user_sees_nothing_even_with_extra_scope(org):
    type(org.rep).objects.filter(pk=org.rep.pk).update(is_active=False)
    assert names(WithExtra(model=Customer).visible_to(fresh(org.rep))) == set()


def test_unit_scope_adds_no_subquery(org):
    """The cheap plan the list and funnel benches rely on: one IN list of unit ids, no subquery."""
    sql = str(OwnedBy(model=Customer).visible_to(fresh(org.manager)).query)
    assert sql.count("SELECT") == 1


@pytest.mark.parametrize("path", [
    "salesflow.crm.models.Customer",
    "salesflow.deals.models.Opportunity",
    "salesflow.deals.models.DiscountRequest",
    "salesflow.leads.models.Lead",
    "salesflow.approvals.models.ApprovalRequest",
    "salesflow.reception.models.ReceptionRecord",
    "salesflow.reception.models.Prospect",
    "salesflow.visits.models.VisitPlan",
    "salesflow.visits.models.VisitLog",
])
def test_every_business_queryset_reads_through_the_base(path):
    from django.utils.module_loading import import_string

    model = import_string(path)
    assert isinstance(model.objects.all(), ScopedQuerySet)
    assert "visible_to" not in {name for klass in type(model.objects.all()).__mro__
                                if klass is not ScopedQuerySet for name in vars(klass)}

