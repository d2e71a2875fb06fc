import pytest

from tests.approvals.conftest import discount, r13  # noqa: F401 — the R13 company and the discount factory


@pytest.fixture
def opportunity(org):
    """opportunity(user=org.rep, customer=org.cust_rep, **data) → an opportunity made through the real service."""
    from salesflow.deals import services

    def make(user=None, customer=None, **data):
        user = user or org.rep
        customer = customer or org.cust_rep
        return services.opportunity_create(by=user, customer_id=customer.pk,
                                           data={"name": "数控机床采购", "amount": "500000", **data})

    return make


@pytest.fixture
def lost_reason(db):
    from salesflow.deals.models import LostReason

    return LostReason.objects.create(name="价格偏高")


@pytest.fixture
def competitor(db):
    from salesflow.deals.models import Competitor

    return Competitor.objects.create(name="华宇科技")
