"""Periodic work: every few minutes, enqueue the tasks apps registered (deadline sweeps, reminders…).

The scheduler only enqueues; the tasks worker runs them. Each periodic task is idempotent and safe when two
workers (or two schedulers on two machines) run it, so a second scheduler is harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("salesflow.scheduler")

# (every_seconds, task) — apps append in AppConfig.ready
PERIODIC: list[tuple[int, Callable]] = []


def register(every_seconds: int, task) -> None:
    if all(t is not task for _s, t in PERIODIC):
        PERIODIC.append((every_seconds, task))


def run_forever(tick: float = 5.0, iterations: int | None = None) -> None:
    last: dict[int, float] = {}
    done = 0
    while iterations is None or done < iterations:
        now = time.monotonic()
        for index, (every, task) in enumerate(PERIODIC):
            if now - last.get(index, -every) >= every:
                last[index] = now
                try:
                    task.enqueue()
                except Exception:  # a database hiccup must not kill the scheduler; try again next round
                    log.exception("could not enqueue %s", getattr(task, "name", task))
        done += 1
        if iterations is None or done < iterations:
            time.sleep(tick)
