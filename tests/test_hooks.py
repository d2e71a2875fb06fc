"""The one hook type (salesflow/core/hooks.py) and the hooks the apps register on it."""

import pytest
from django.apps import apps
from django.db import transaction

from salesflow.core import activity
from salesflow.core.hooks import Hook
from salesflow.deals.hooks import OPPORTUNITY_WON
from salesflow.org.hooks import OWNER_UNIT_CHANGED, OWNERSHIP_TRANSFER


def first(*, n):
    return n + 1


def second(*, n):
    return n * 10


def test_handlers_run_in_order_and_results_come_back_by_handler():
    hook = Hook("test.counted", signature="handler(*, n) -> int", in_transaction=False)
    hook.register(first)

    @hook.register
    def third(*, n):
        return -n

    hook.register(second)
    assert hook.handlers == (first, third, second)
    assert list(hook.call(n=2).values()) == [3, -2, 20]
    assert list(hook.call(n=2)) == [f"{__name__}.first", f"{__name__}.test_handlers_run_in_order_and_results_come_"
                                    f"back_by_handler.<locals>.third", f"{__name__}.second"]


def test_registering_twice_keeps_one_handler_in_its_place():
    hook = Hook("test.twice", signature="handler(*, n) -> int", in_transaction=False)
    hook.register(first)
    hook.register(second)
    hook.register(first)
    assert hook.handlers == (first, second)
    hook.unregister(first)
    assert hook.handlers == (second,)
    assert first not in hook and second in hook


@pytest.mark.django_db(transaction=True)
def test_a_writing_hook_refuses_to_run_outside_the_callers_transaction():
    hook = Hook("test.writes", signature="handler(*, n) -> int")
    hook.register(first)
    with pytest.raises(RuntimeError, match="test.writes"):
        hook.call(n=1)
    with transaction.atomic():
        assert hook.call(n=1) == {f"{__name__}.first": 2}


def test_ready_running_twice_does_not_register_twice():
    sizes = [len(h) for h in (OWNERSHIP_TRANSFER, OWNER_UNIT_CHANGED, OPPORTUNITY_WON, activity.SOURCES)]
    for config in apps.get_app_configs():
        if config.name.startswith("salesflow."):
            config.ready()
    assert [len(h) for h in (OWNERSHIP_TRANSFER, OWNER_UNIT_CHANGED, OPPORTUNITY_WON, activity.SOURCES)] == sizes


def test_the_apps_registered_their_handlers():
    from salesflow.crm.services import customers_transfer_all
    from salesflow.deals.activity import stage_changes
    from salesflow.reception.services import prospects_on_opportunity_won
    from salesflow.visits.services import plans_follow_owner_unit

    assert customers_transfer_all in OWNERSHIP_TRANSFER
    assert plans_follow_owner_unit in OWNER_UNIT_CHANGED
    assert prospects_on_opportunity_won in OPPORTUNITY_WON
    assert stage_changes in activity.SOURCES
