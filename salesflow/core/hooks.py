"""Hooks: the one way an app lets other apps react to what it does, without importing them (ADR 0004).

The app that owns an event declares a hook once, in its ``hooks.py``, with the keyword arguments every handler
receives and what it returns::

    OPPORTUNITY_WON = Hook(
        "deals.opportunity_won",
        signature="handler(*, opportunity, by) -> Any",
        doc="Inside the win transaction; R15: reception hands the customer's prospects to customer service.",
    )

Apps that react register a handler in their ``AppConfig.ready`` (or with ``@OPPORTUNITY_WON.register``); the
owning service calls it at the right moment::

    OPPORTUNITY_WON.call(opportunity=opportunity, by=by)

Handlers run in registration order (``INSTALLED_APPS`` order, since ``ready()`` runs in that order), in the caller's
thread and **inside the caller's transaction**: a handler that raises rolls the whole action back, and what a
handler writes commits together with the action (unlike Django signals, which are easy to fire outside the
transaction and hide who listens). Side effects that leave the process (mail, robots) still go through
``transaction.on_commit`` inside the handler.

Registering is idempotent: a handler is known by its key (``module.qualname`` unless given), so ``ready()``
running twice, or a reloaded module, never registers it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction


def handler_key(fn: Callable) -> str:
    return f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}"


class Hook:
    """A named extension point: handlers called with keyword arguments, results returned by handler key."""

    def __init__(self, name: str, *, signature: str, doc: str = "", in_transaction: bool = True) -> None:
        self.name = name
        self.signature = signature  # what every handler receives and returns, for the reader and for repr()
        self.doc = doc
        # A hook that hands writes to other apps must run inside the caller's transaction, or a failing handler
        # would leave half an action committed; read-only hooks (timelines) may run anywhere.
        self.in_transaction = in_transaction
        self._handlers: dict[str, Callable] = {}

    def register(self, fn: Callable | None = None, *, key: str | None = None):
        """Add a handler (also usable as ``@hook.register``). The same key twice replaces, never duplicates."""

        def add(handler: Callable) -> Callable:
            self._handlers[key or handler_key(handler)] = handler  # an existing key keeps its place in the order
            return handler

        return add if fn is None else add(fn)

    def unregister(self, fn_or_key: Callable | str) -> None:
        key = fn_or_key if isinstance(fn_or_key, str) else handler_key(fn_or_key)
        self._handlers.pop(key, None)

    def call(self, **kwargs: Any) -> dict[str, Any]:
        """Call every handler with ``kwargs``; return ``{handler key: result}`` in registration order."""
        if self.in_transaction and not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"hook {self.name} must be called inside the caller's transaction")
        return {key: handler(**kwargs) for key, handler in list(self._handlers.items())}

    @property
    def handlers(self) -> tuple[Callable, ...]:
        return tuple(self._handlers.values())

    def __contains__(self, fn: object) -> bool:
        return fn in self._handlers.values()

    def __iter__(self) -> Iterator[Callable]:
        return iter(self.handlers)

    def __len__(self) -> int:
        return len(self._handlers)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {self.signature}, {len(self)} handler(s)>"
