import pytest

from salesflow.approvals.tasks import sweep_approval_deadlines
from salesflow.core import scheduler


def test_the_approval_sweep_is_scheduled_every_five_minutes():
    assert (300, sweep_approval_deadlines) in scheduler.PERIODIC


@pytest.mark.django_db
def test_run_forever_enqueues_each_periodic_task(monkeypatch):
    calls = []

    class FakeTask:
        name = "fake"

        def enqueue(self):
            calls.append("enqueued")

    monkeypatch.setattr(scheduler, "PERIODIC", [(3600, FakeTask())])
    scheduler.run_forever(tick=0, iterations=3)
    assert calls == ["enqueued"]  # once, not every tick: the period has not passed
