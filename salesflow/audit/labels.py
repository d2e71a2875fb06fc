"""What the audit trail shows for an action code (the label its app declared, ``audit.events.declare``) and
which object type a stored row names today."""

from collections.abc import Iterator, Mapping

from .events import declared, event_type


class _DeclaredLabels(Mapping):
    """{action: label} of every declared event, read from the registry."""

    def __getitem__(self, action: str):
        event = event_type(action)
        if event is None:
            raise KeyError(action)
        return event.label

    def __iter__(self) -> Iterator[str]:
        return iter(declared())

    def __len__(self) -> int:
        return len(declared())


ACTION_LABELS: Mapping = _DeclaredLabels()


def action_label(action: str) -> str:
    # A stored action nobody declares any more (or a test's own) shows its code rather than failing the page.
    event = event_type(action)
    return str(event.label) if event is not None else action


# Models that moved to another app kept their tables, but audit rows are append-only and keep the object type
# they were written under: the old name → today's, so a record's history reads as one (filters and labels).
# A model that moves adds its line here; rows are never rewritten.
OBJECT_TYPE_RENAMED: Mapping[str, str] = {
    "leads.leadpolicy": "pool.poolpolicy",  # pool 0001
    "crm.importjob": "imports.importjob",  # imports 0001
    "approvals.notification": "notifications.notification",  # notifications 0001
}


def current_object_type(object_type: str) -> str:
    """The name a stored object type has today (``leads.leadpolicy`` → ``pool.poolpolicy``)."""
    return OBJECT_TYPE_RENAMED.get(object_type, object_type)


def object_type_names(object_type: str) -> list[str]:
    """Every name the rows of this object type may be stored under: today's first, then the older ones (either
    name may be asked for)."""
    current = current_object_type(object_type)
    return [current, *sorted(old for old, new in OBJECT_TYPE_RENAMED.items() if new == current)]
