"""What the audit trail shows for an action code: the label its app declared (``audit.events.declare``)."""

from collections.abc import Iterator, Mapping

from django.utils.translation import gettext_lazy as _

from .events import declared, event_type

# Transitional: the labels of the apps not yet moved to their own events.py.
_NOT_YET_DECLARED = {
    "customer.created": _("Customer created"),
    "customer.updated": _("Customer updated"),
    "customer.archived": _("Customer archived"),
    "customer.restored": _("Customer restored"),
    "customer.reassigned": _("Customer reassigned"),
    "customer.imported": _("Customer imported"),
    "customer.import_finished": _("Customer import finished"),
    "customer.phones_revealed": _("Full phone numbers shown"),
    "contact.added": _("Contact added"),
    "contact.updated": _("Contact updated"),
    "contact.removed": _("Contact removed"),
    "customer_group.created": _("Customer group created"),
    "lead.created": _("Lead created"),
    "lead.screened": _("Lead screened"),
    "lead.assigned": _("Lead assigned"),
    "lead.reassigned": _("Lead handed over (previous owner deactivated)"),
    "lead.claimed": _("Lead claimed from the pool"),
    "lead.released": _("Lead returned to the pool"),
    "lead.returned_overdue": _("Lead returned to the pool: not contacted in time"),
    "lead.contacted": _("Lead contacted"),
    "lead.converted": _("Lead converted"),
    "lead.imported": _("Lead imported"),
    "customer.claimed": _("Customer claimed from the pool"),
    "customer.released": _("Customer returned to the pool by its owner"),
    "customer.reclaimed": _("Customer returned to the pool automatically"),
    "customer.pool_warned": _("Owner warned: the customer returns to the pool soon"),
    "customer.pool_assigned": _("Customer assigned from the pool"),
    "lead_scoring.saved": _("Lead scoring rules changed"),
    "lead_policy.saved": _("Pool policy saved"),
    "lead_policy.removed": _("Pool policy removed (the unit inherits again)"),
    "lead_rule.created": _("Territory rule created"),
    "lead_rule.updated": _("Territory rule changed"),
    "lead_rule.activated": _("Territory rule activated"),
    "lead_rule.deactivated": _("Territory rule deactivated"),
    "lead_rule.reordered": _("Territory rules reordered"),
    "lead.import_finished": _("Lead import finished"),
}



class _DeclaredLabels(Mapping):
    """{action: label} of every declared event, read from the registry (kept for callers of the old dict)."""

    def __getitem__(self, action: str):
        event = event_type(action)
        if event is None:
            return _NOT_YET_DECLARED[action]
        return event.label

    def __iter__(self) -> Iterator[str]:
        return iter({**_NOT_YET_DECLARED, **declared()})

    def __len__(self) -> int:
        return len({**_NOT_YET_DECLARED, **declared()})


ACTION_LABELS: Mapping = _DeclaredLabels()


def action_label(action: str) -> str:
    # An action nobody declares (an app removed since, a test's own) shows its code rather than failing.
    event = event_type(action)
    return str(event.label) if event is not None else str(_NOT_YET_DECLARED.get(action, action))
