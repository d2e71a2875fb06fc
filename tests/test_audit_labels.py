"""Every action a service records has a translated label, so the audit trail never shows raw codes."""

import re
from pathlib import Path

from salesflow.audit.labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[1] / "salesflow"


def test_every_recorded_action_has_a_label():
    actions = set()
    for path in ROOT.rglob("*.py"):
        actions |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    actions |= {"customer.archived", "customer.restored"}  # built as f"customer.{action}d"
    assert actions, "no actions found: the pattern is out of date"
    assert sorted(actions - set(ACTION_LABELS)) == []
