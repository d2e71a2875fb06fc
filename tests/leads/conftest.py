import pytest

from salesflow.leads import services

from ..conftest import fresh


@pytest.fixture
def make_lead(org):
    """make_lead(by, **data) → a lead created through the service (duplicates confirmed)."""
    counter = iter(range(1, 10_000))

    def make(by=None, owner="self", **data):
        by = fresh(by or org.rep)
        data.setdefault("name", f"线索测试公司{next(counter)}号")
        data.setdefault("channel", "exhibition")
        target = by if owner == "self" else owner
        return services.lead_create(by=by, data=data, owner=target, confirm_duplicates=True)

    return make
