"""What the audit trail shows for an action code: the label its app declared (``audit.events.declare``)."""

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
