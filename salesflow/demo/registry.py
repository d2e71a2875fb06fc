"""Builders and resetters of the demo company, contributed by the apps' ``demo`` modules.

An app registers in its ``demo.py``::

    from salesflow.demo.registry import builder, resetter

    @builder(order=300)
    def build_customers(ctx): ...

    @resetter(order=300)
    def reset_customers() -> dict[str, int]: ...

Builders run in ascending ``order`` (the organisation first, 100; the customer pool last), resetters in
ascending ``order`` too (the audit trail first, the org tree last); both inside one transaction. Registration
is keyed by the function's module and name, so importing a module twice registers nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from .context import DemoContext, ensure_allowed


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    fn: Callable


_BUILDERS: dict[str, Step] = {}
_RESETTERS: dict[str, Step] = {}


def _key(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def builder(*, order: int) -> Callable[[Callable[[DemoContext], None]], Callable[[DemoContext], None]]:
    def register(fn):
        _BUILDERS[_key(fn)] = Step(order, _key(fn), fn)
        return fn
    return register


def resetter(*, order: int) -> Callable[[Callable[[], dict[str, int]]], Callable[[], dict[str, int]]]:
    def register(fn):
        _RESETTERS[_key(fn)] = Step(order, _key(fn), fn)
        return fn
    return register


def discover() -> None:
    """Import every installed app's ``demo`` module (they register on import)."""
    autodiscover_modules("demo")


def builders() -> list[Step]:
    discover()
    return sorted(_BUILDERS.values(), key=lambda s: (s.order, s.name))


def resetters() -> list[Step]:
    discover()
    return sorted(_RESETTERS.values(), key=lambda s: (s.order, s.name))


def build_demo() -> DemoContext:
    """Build (or complete) the demo company. Returns the context with counts of what was created."""
    ensure_allowed()
    ctx = DemoContext()
    with transaction.atomic():
        for step in builders():
            step.fn(ctx)
    return ctx


def reset_business_data() -> dict[str, int]:
    """Delete all business data, users and the org tree (development only)."""
    ensure_allowed()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for step in resetters():
            counts.update(step.fn() or {})
    return counts
