"""Audit events are declared per app, each with its label, and written only through the declared events.

Read from the code (``ast``), like tests/test_conventions.py:

- every event is declared in its app's ``events.py`` with ``declare("app.thing", _("Label"))`` (a translated
  label, so the trail never shows raw codes);
- outside the audit app nobody passes a literal action code to a writer (``record(action="…")``, an f-string
  included) or writes audit rows by hand (``AuditEvent(…)``, ``AuditEvent.objects.create/bulk_create``,
  ``insert_dicts(AuditEvent, …)``): single events go through ``EVENT.record``, bulk writers through one
  ``record_many`` of ``EVENT.row``s;
- every action code the code reads (``filter(action="…")``, ``action__in=[…]``) is declared.

Each check has a planted-violation test below, so a check that can no longer fail is caught too.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest
from django.utils.functional import Promise

from salesflow.audit.events import declared
from salesflow.audit.labels import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[1] / "salesflow"
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
WRITERS = {"create", "bulk_create", "get_or_create", "update_or_create"}
BULK_INSERTS = {"insert_dicts", "insert_instances"}


def app_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts]


def outside_audit(path: Path) -> bool:
    return path.relative_to(ROOT).parts[0] != "audit"


def is_events_module(path: Path) -> bool:
    """An app's events.py, or that of a part of an app kept apart to move as a whole (deals/discounts)."""
    parts = path.relative_to(ROOT).parts
    return len(parts) >= 2 and parts[-1] == "events.py"


def _literal_codes(node) -> list[str]:
    values = node.elts if isinstance(node, ast.List | ast.Tuple | ast.Set) else [node]
    return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]


def literal_actions(source: str) -> list[tuple[int, str]]:
    """Calls that hand a writer a literal action code: any keyword named like ``*action`` with a dotted string
    or an f-string (a filter's ``action=`` is a read, checked by ``read_actions``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in {"filter", "exclude", "get", "exists", "count"}:
            continue
        for kw in node.keywords:
            if not (kw.arg and kw.arg.endswith("action")):
                continue
            if isinstance(kw.value, ast.JoinedStr) or any(CODE.match(c) for c in _literal_codes(kw.value)):
                found.append((node.lineno, f"{name}({kw.arg}=…)"))
            elif isinstance(kw.value, ast.IfExp) and any(
                    CODE.match(c) for branch in (kw.value.body, kw.value.orelse) for c in _literal_codes(branch)):
                found.append((node.lineno, f"{name}({kw.arg}=… if … else …)"))
    return found


def hand_written_rows(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "AuditEvent" or \
                isinstance(func, ast.Attribute) and func.attr == "AuditEvent":
            found.append((node.lineno, "AuditEvent(…)"))
        elif isinstance(func, ast.Attribute) and func.attr in WRITERS and isinstance(func.value, ast.Attribute) \
                and func.value.attr == "objects" and "AuditEvent" in ast.unparse(func.value.value):
            found.append((node.lineno, f"AuditEvent.objects.{func.attr}(…)"))
        elif getattr(func, "attr", getattr(func, "id", "")) in BULK_INSERTS and node.args \
                and "AuditEvent" in ast.unparse(node.args[0]):
            found.append((node.lineno, f"{ast.unparse(func)}(AuditEvent, …)"))
    return found


def read_actions(source: str) -> list[tuple[int, str]]:
    """Action codes the code reads: ``action="x.y"`` / ``action__in=[…]`` in a query."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in {"action", "action__in"}:
                    found += [(node.lineno, code) for code in _literal_codes(kw.value) if CODE.match(code)]
    return found


def declarations(source: str) -> list[tuple[int, str, ast.AST | None]]:
    """(line, action, label node) of each ``declare(…)`` call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "declare":
            action = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
            found.append((node.lineno, action, node.args[1] if len(node.args) > 1 else None))
    return found


def bad_declarations(source: str, *, in_events_module: bool) -> list[tuple[int, str]]:
    found = []
    for line, action, label in declarations(source):
        if not in_events_module:
            found.append((line, f"{action}: declared outside the app's events.py"))
        elif not (isinstance(action, str) and CODE.match(action)):
            found.append((line, f"{action!r}: not an 'app.thing' code"))
        elif not (isinstance(label, ast.Call) and getattr(label.func, "id", "") == "_"):
            found.append((line, f"{action}: the label is not a translated _('…')"))
    return found


def _collect(check) -> list[str]:
    problems = []
    for path in app_files():
        if outside_audit(path):
            problems += [f"{path.relative_to(ROOT.parent)}:{line}: {what}"
                         for line, what in check(path.read_text(encoding="utf-8"))]
    return problems


def test_no_literal_action_codes_outside_the_audit_app():
    assert _collect(literal_actions) == []


def test_no_audit_rows_written_by_hand():
    assert _collect(hand_written_rows) == []


def test_events_are_declared_in_the_apps_events_modules_with_translated_labels():
    problems, codes = [], []
    for path in app_files():
        source = path.read_text(encoding="utf-8")
        if path.relative_to(ROOT).parts[0] == "audit" and path.name == "events.py":
            continue  # declare() itself
        problems += [f"{path.relative_to(ROOT.parent)}:{line}: {what}"
                     for line, what in bad_declarations(source, in_events_module=is_events_module(path))]
        codes += [action for _line, action, _label in declarations(source)]
    assert problems == []
    assert codes, "no declarations found: the pattern is out of date"
    assert sorted(set(codes) - set(declared())) == []  # every app's events module is imported at start-up


def test_every_action_has_a_label():
    app_events = {code: event for code, event in declared().items() if not code.startswith("test.")}
    assert len(app_events) > 90
    unlabelled = [code for code, event in app_events.items()
                  if not isinstance(event.label, Promise) or not str(event.label) or str(event.label) == code]
    assert unlabelled == []
    assert set(app_events) <= set(ACTION_LABELS)
    assert action_label("customer.created") == "Customer created"
    assert action_label("nobody.declares_this") == "nobody.declares_this"


def test_every_action_the_code_reads_is_declared():
    read = {code for path in app_files() for _line, code in read_actions(path.read_text(encoding="utf-8"))}
    assert read, "no reads found: the pattern is out of date"
    assert sorted(read - set(declared())) == []


def test_two_apps_cannot_declare_one_action():
    from django.core.exceptions import ImproperlyConfigured

    from salesflow.audit.events import declare

    with pytest.raises(ImproperlyConfigured):
        declare("customer.created", "Customer created again")


# --- each check fails on a planted violation -------------------------------------------------------------

PLANTED_LITERAL = textwrap.dedent("""
    from salesflow.audit import events

    def customer_touch(*, by, customer, action):
        events.record(by=by, action="customer.touched", obj=customer)
        record(by=by, action=f"customer.{action}d", obj=customer)
        _event(request, by=by, action="approval.approved" if approve else "approval.rejected")
        _to_pool(by, lead, audit_action="lead.released")
        AuditEvent.objects.filter(action="customer.created").exists()
        parser.add_argument("--reset", action="store_true")
""")


def test_planted_literal_actions_are_found():
    assert [line for line, _what in literal_actions(PLANTED_LITERAL)] == [5, 6, 7, 8]


def test_planted_hand_written_rows_are_found():
    source = textwrap.dedent("""
        AuditEvent.objects.bulk_create([AuditEvent(action="lead.reassigned") for pk in ids])
        events.AuditEvent.objects.create(action="x.y")
        insert_dicts(AuditEvent, rows)
        AuditEvent.objects.filter(customer_id=1).order_by("-at")
        record_many(events.LEAD_REASSIGNED.row(by=by, obj=lead) for lead in leads)
    """)
    assert sorted(what for _line, what in hand_written_rows(source)) == sorted([
        "AuditEvent.objects.bulk_create(…)", "AuditEvent(…)", "AuditEvent.objects.create(…)",
        "insert_dicts(AuditEvent, …)"])


def test_planted_bad_declarations_are_found():
    source = textwrap.dedent("""
        GOOD = declare("quotation.created", _("Quotation created"))
        RAW = declare("quotation.sent", "Quotation sent")
        ODD = declare("QuotationSent", _("Quotation sent"))
    """)
    assert [line for line, _what in bad_declarations(source, in_events_module=True)] == [3, 4]
    assert len(bad_declarations(source, in_events_module=False)) == 3


def test_planted_reads_of_undeclared_actions_are_found():
    source = 'AuditEvent.objects.filter(action__in=["customer.released", "quotation.lost"], actor=1)'
    assert [code for _line, code in read_actions(source)] == ["customer.released", "quotation.lost"]
    assert "quotation.lost" not in declared()
