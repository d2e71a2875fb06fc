"""Panels: parts of one app's page that apps above it contribute, so the page never names them (ADR 0004).

A page owned by a lower app (the customer file in ``crm``, the opportunity in ``deals``, the lead in ``leads``)
shows cards and buttons of apps that sit above it: the pool status, the reception records, the visits, the
"New opportunity" button. Importing those apps — in Python or with ``{% load %}`` / ``{% url %}`` in the
template — would point a dependency up. Instead the page's app declares a read-only hook in its ``hooks.py``::

    CUSTOMER_PANELS = Hook("crm.customer_panels", signature="handler(*, customer, user, request) -> Panel | None",
                           in_transaction=False)

an upper app registers a handler in its ``AppConfig.ready`` that answers a :class:`Panel` (its own template and
the context it needs, already checked against the user's permissions) or None, and the page's view hands
``collect(CUSTOMER_PANELS, customer=…, user=…, request=…)`` to its template, which renders each slot in order::

    {% for panel in panels.side %}{% render_panel panel %}{% endfor %}

A handler is as cheap as the template tag it replaces: it reads through its own app's selectors, under the
user's scope, and runs no query the page would not have run anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .hooks import Hook


@dataclass(frozen=True)
class Panel:
    """One contribution to a page: rendered with the page's context plus ``context`` (like ``{% include %}``).

    ``slot``: where the page puts it — each page names its slots in its hook's doc (the customer file:
    ``actions``, ``top``, ``main``, ``side``). ``order``: lower first within a slot; equal orders keep the
    handlers' registration order (``INSTALLED_APPS``)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    slot: str = "main"
    order: int = 100


def collect(hook: Hook, **kwargs: Any) -> dict[str, list[Panel]]:
    """Call the page's panel hook; the panels answered, by slot, in order. A handler answers a Panel, several
    (an iterable) or None."""
    found: list[Panel] = []
    for answer in hook.call(**kwargs).values():
        if answer is None:
            continue
        found.extend([answer] if isinstance(answer, Panel) else list(_panels(answer)))
    slots: dict[str, list[Panel]] = defaultdict(list)
    for panel in sorted(found, key=lambda p: p.order):  # sorted() is stable: registration order within an order
        slots[panel.slot].append(panel)
    return dict(slots)


def _panels(answer: Iterable) -> Iterable[Panel]:
    for panel in answer:
        if not isinstance(panel, Panel):
            raise TypeError(f"a panel handler answered {panel!r}, not a Panel")
        yield panel
