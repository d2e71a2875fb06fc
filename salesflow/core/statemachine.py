"""Declared-once document state machines.

A document declares its states (TextChoices, a comment per state) and one transition map beside them::

    class CustomerStatus(models.TextChoices): ...
    CUSTOMER_FLOW = StateMachine(CustomerStatus, {
        CustomerStatus.ACTIVE: {"archive": CustomerStatus.ARCHIVED},
        CustomerStatus.ARCHIVED: {"restore": CustomerStatus.ACTIVE},
    })

Guards (``flow.can(obj.status, "archive")``) read the map; only services call ``flow.next(...)``
and write the new status. Later documents (quotes, contracts, orders) reuse this with the approval engine
moving them through ``submit``/``approve``/``reject`` transitions.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from .errors import AppError


class InvalidTransition(AppError):
    status = 409
    refusal = "invalid_transition"

    def __init__(self, state, action):
        super().__init__(
            "invalid_transition",
            _("This action ({action}) is not allowed while the document is {state}.").format(
                action=action, state=state.label if hasattr(state, "label") else state
            ),
        )


class StateMachine:
    def __init__(self, states, transitions: Mapping[str, Mapping[str, str]]):
        self.states = states
        self.transitions = {str(k): {a: str(t) for a, t in v.items()} for k, v in transitions.items()}
        valid = {str(s) for s in states.values}
        for source, actions in self.transitions.items():
            if source not in valid:
                raise ValueError(f"unknown state {source!r}")
            for target in actions.values():
                if target not in valid:
                    raise ValueError(f"unknown target state {target!r}")

    def actions(self, state) -> list[str]:
        return list(self.transitions.get(str(state), {}))

    def can(self, state, action: str) -> bool:
        return action in self.transitions.get(str(state), {})

    def next(self, state, action: str):
        try:
            return self.states(self.transitions[str(state)][action])
        except KeyError:
            raise InvalidTransition(self.states(str(state)), action) from None
