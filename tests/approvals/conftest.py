from types import SimpleNamespace

import pytest

from salesflow.approvals.policies import policy_load_file


@pytest.fixture
def r13(org):
    """The org fixture plus a marketing VP, and the shipped policies loaded (R13 discount chain)."""
    from salesflow.org.roles import Role
    from tests.factories import UserFactory

    marketing_vp = UserFactory(username="marketing_vp", name="营销副总", role=Role.MARKETING_VP, unit=org.hq,
                               manager=org.gm)
    policy_load_file(by=None, system=True)
    return SimpleNamespace(**vars(org), marketing_vp=marketing_vp)


@pytest.fixture
def discount(r13):
    from salesflow.deals.discounts import services as deals

    from ..conftest import fresh

    def make(by=None, customer=None, amount="200000", percent="8", reason="老客户续单，竞品报价更低"):
        by = by or r13.rep
        customer = customer or r13.cust_rep
        return deals.discount_create(by=fresh(by), customer_id=customer.pk,
                                     data={"amount": amount, "discount_percent": percent, "reason": reason})

    return make
