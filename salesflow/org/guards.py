"""Who may do what to a document, declared once on its model and read by pages, API and services alike.

A document declares its state machine (``core.statemachine``) and, per action, a ``Permit``: the role capability
the action needs, the user's relation to the document, and — for an action that is not a transition — the states
it is open in::

    class VisitPlan(Guarded, models.Model):
        flow = PLAN_FLOW
        permits = {
            "submit": Permit("visit.plan", who="owner"),
            "approve": Permit("visit.review", who="reviewer"),
            "edit": Permit("visit.plan", who="owner", states={PlanStatus.DRAFT}),
        }

``plan.can("submit", by=user)`` answers a page's or an endpoint's question (show the button?); services call
``plan.require("submit", by=user)``, which raises ``PermissionRefused`` (role or relation) or, once the user may
act, ``InvalidTransition`` (not from this state). Seeing the document at all is the data scope's business
(``visible_to``): guards are asked about documents already read through it. The owner and unit fields are the
ones the model's ``ScopedQuerySet`` declares, so they are written once too.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar

from salesflow.core.errors import PermissionRefused
from salesflow.core.statemachine import InvalidTransition, StateMachine

from .roles import has_capability
from .scope import is_above


@dataclass(frozen=True)
class Permit:
    """One action's guard.

    ``capability``: the role capability needed (a tuple: any of them); None: no role check.
    ``who``: the user's relation to the document — None (anybody who reads it), ``"owner"`` (its owner only),
    ``"above"`` (the owner, a unit head over the owner's unit, or leadership: ``org.scope.is_above``),
    ``"reviewer"`` (above the owner but not the owner), or the name of a method of the model taking the user.
    ``states``: for an action that is not a transition of the flow, the states it is open in (None: every
    state); a transition is open where the flow has it.
    ``when``: the name of a property of the document that must hold too, for a condition beyond its state (a lead
    somebody owns, a lead waiting in the pool). A service that answers its failure with an error of its own
    checks it before ``require``, which would call it the wrong state.
    ``label``: the action's name in the "not allowed while…" message; ``refusal``/``code``: the
    ``PermissionRefused`` ``require`` raises when the relation fails (a wrong role gets the plain refusal).
    """

    capability: str | tuple[str, ...] | None = None
    who: str | None = None
    states: Collection | None = None
    when: str | None = None
    label: str | None = None
    refusal: str | None = None
    code: str = "permission_denied"


class Guarded:
    """Mixin for document models: ``can(action, by=user)`` and ``require(action, by=user)``."""

    flow: ClassVar[StateMachine | None] = None
    flow_field: ClassVar[str] = "status"
    permits: ClassVar[dict[str, Permit]] = {}

    # --- the parts -------------------------------------------------------------------------------------

    @classmethod
    def _permit(cls, action: str) -> Permit:
        try:
            return cls.permits[action]
        except KeyError:
            raise ValueError(f"{cls.__name__} declares no permit for {action!r}") from None

    def _scope_field(self, name: str, default: str) -> str:
        queryset = getattr(type(self)._default_manager, "_queryset_class", None)
        return getattr(queryset, name, default)

    @property
    def guard_owner_id(self):
        return getattr(self, self._scope_field("scope_owner", "owner_id"))

    @property
    def guard_unit_id(self):
        return getattr(self, self._scope_field("scope_unit", "unit_id"))

    def is_owner(self, user) -> bool:
        return user is not None and user.pk is not None and user.pk == self.guard_owner_id

    def is_above(self, user) -> bool:
        return is_above(user, owner_id=self.guard_owner_id, unit_id=self.guard_unit_id)

    def is_reviewer(self, user) -> bool:
        return not self.is_owner(user) and self.is_above(user)

    @classmethod
    def role_allows(cls, action: str, *, by) -> bool:
        """The role alone (no document needed): services ask it before they look the document up, so a wrong
        role is refused whether or not the document exists."""
        permit = cls._permit(action)
        if by is None or not getattr(by, "is_authenticated", False):
            return False
        if permit.capability is None:
            return True
        wanted = (permit.capability,) if isinstance(permit.capability, str) else permit.capability
        return any(has_capability(by, capability) for capability in wanted)

    @classmethod
    def role_require(cls, action: str, *, by) -> None:
        if not cls.role_allows(action, by=by):
            raise PermissionRefused()

    def permitted(self, action: str, *, by) -> bool:
        """The role and the relation, whatever the document's state."""
        permit = self._permit(action)
        if not self.role_allows(action, by=by):
            return False
        return permit.who is None or getattr(self, f"is_{permit.who}")(by)

    def open_for(self, action: str) -> bool:
        """The document's state: a transition its flow has from here, or a state the action is open in (and the
        permit's ``when``, if it names one)."""
        permit = self._permit(action)
        if permit.when is not None and not getattr(self, permit.when):
            return False
        state = getattr(self, self.flow_field, None)
        if permit.states is not None:
            return state in {str(s) for s in permit.states}
        if self.flow is None or not any(action in actions for actions in self.flow.transitions.values()):
            return True  # not a transition: open in every state
        return self.flow.can(state, action)

    # --- the two questions -----------------------------------------------------------------------------

    def can(self, action: str, *, by) -> bool:
        return self.permitted(action, by=by) and self.open_for(action)

    def require_permitted(self, action: str, *, by) -> None:
        """The role and the relation only, for a service that checks something of its own before the state."""
        self.role_require(action, by=by)
        if not self.permitted(action, by=by):
            permit = self._permit(action)
            raise PermissionRefused(permit.refusal, code=permit.code)

    def require(self, action: str, *, by) -> None:
        self.require_permitted(action, by=by)
        if not self.open_for(action):
            permit = self._permit(action)
            state = getattr(self, self.flow_field)
            raise InvalidTransition(self.flow.states(state) if self.flow is not None else state,
                                    permit.label or action)
