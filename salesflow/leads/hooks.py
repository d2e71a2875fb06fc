"""The leads' hooks: other apps register in their AppConfig.ready (ADR 0004)."""

from salesflow.core.hooks import Hook

LEAD_PANELS = Hook(
    "leads.lead_panels",
    signature="handler(*, lead, user, request) -> core.panels.Panel | Iterable[Panel] | None",
    doc="Read-only, while the lead page is built: what an app above leads shows on it for this user (None: "
        "nothing). Slots: 'actions' (buttons in the header, after the work buttons, before 'Return to the pool').",
    in_transaction=False,
)
