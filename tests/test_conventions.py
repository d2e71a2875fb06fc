"""The conventions every app follows, checked by reading the code (``ast``), so a new app cannot drift from them:

- views, API modules and forms read through selectors: no business model's ``.objects`` there;
- a document's status or stage changes only in a services module (where the state machine, the permission
  check, the transaction and the audit event are);
- no app imports another app's views, and every import follows the layering written in the README
  (``scripts/import_graph.py``): no cycle between apps, the ground floor imports no business app;
- ``select_for_update()`` on a query that joins other tables names the rows it locks (``of=``): PostgreSQL
  otherwise locks the joined rows too, in an order other code paths may take the other way round (deadlock).

Each check has a planted-violation test below, so a check that can no longer fail is caught too.
"""

from __future__ import annotations

import ast
import importlib.util
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "salesflow"

_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_graph)

# Field lookups and transforms: a "__" path made only of these stays on the queried table.
LOOKUPS = {"exact", "iexact", "in", "gt", "gte", "lt", "lte", "isnull", "range", "startswith", "istartswith",
           "endswith", "iendswith", "contains", "icontains", "year", "month", "day", "date", "week_day", "regex",
           "iregex", "hour", "minute", "quarter", "week", "iso_year"}
STATE_FIELDS = {"status", "stage"}


def app_files() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def is_entry_module(path: Path) -> bool:
    """Views, API modules and forms: ``views.py``, ``*_views.py``, ``api.py``, ``*_api.py``, ``forms.py``…"""
    stem = path.stem
    return any(stem == kind or stem.endswith("_" + kind) for kind in ("views", "api", "forms"))


def is_services_module(path: Path) -> bool:
    return path.stem == "services" or path.stem.endswith("_services") or "services" in path.parts


def model_names(tree: ast.AST) -> set[str]:
    """Names bound by ``from <…>.models import X`` (salesflow apps' models) in a module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == "models" \
                and (node.level or node.module.startswith("salesflow.")):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def objects_uses(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    models = model_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"} \
                and isinstance(node.value, ast.Name) and node.value.id in models:
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return found


def state_assignments(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in STATE_FIELDS:
                found.append((node.lineno, f".{target.attr} ="))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in {"update", "bulk_update"}:
            keys = {kw.arg for kw in node.keywords if kw.arg}
            if node.func.attr == "bulk_update" and len(node.args) >= 2 and isinstance(node.args[1], (ast.List, ast.Tuple)):
                keys |= {e.value for e in node.args[1].elts if isinstance(e, ast.Constant)}
            for key in sorted(keys & STATE_FIELDS):
                found.append((node.lineno, f".{node.func.attr}({key}=…)"))
    return found


def _chain(call: ast.Call) -> list[ast.Call]:
    """The calls of a method chain ending in ``call``: qs.filter(…).select_related(…).select_for_update()."""
    calls = []
    node: ast.AST = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls


def _joins(calls: list[ast.Call]) -> bool:
    for call in calls:
        name = call.func.attr
        if name == "select_related":
            return True
        if name in {"filter", "exclude", "get", "get_or_create", "update_or_create"}:
            for kw in call.keywords:
                if kw.arg and "__" in kw.arg:
                    parts = kw.arg.split("__")
                    if any(part not in LOOKUPS for part in parts[1:]):
                        return True
    return False


def unscoped_locks(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    found = []
    seen = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        calls = _chain(node)
        locks = [c for c in calls if c.func.attr == "select_for_update"]
        if not locks or id(locks[0]) in seen:
            continue
        seen.add(id(locks[0]))
        if any(kw.arg == "of" for kw in locks[0].keywords):
            continue
        if _joins(calls):
            found.append((locks[0].lineno, "select_for_update() on a joined query without of="))
    return found


def views_imports(path: Path, source: str) -> list[tuple[int, str]]:
    parts = path.relative_to(PACKAGE).parts
    if len(parts) == 1:  # the project's own modules (urls.py wires every app's views together)
        return []
    own = parts[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("salesflow."):
            parts = node.module.split(".")
            if len(parts) >= 3 and parts[1] != own and (parts[-1] == "views" or parts[-1].endswith("_views")):
                found.append((node.lineno, f"from {node.module} import …"))
            if len(parts) == 2 and parts[1] != own:
                for alias in node.names:
                    if alias.name == "views" or alias.name.endswith("_views"):
                        found.append((node.lineno, f"from {node.module} import {alias.name}"))
    return found


def _report(found: dict[Path, list[tuple[int, str]]]) -> str:
    return "\n".join(f"{path.relative_to(ROOT)}:{line}: {what}" for path, hits in sorted(found.items())
                     for line, what in hits)


def _scan(check, select=lambda p: True) -> dict[Path, list]:
    found = {}
    for path in app_files():
        if select(path):
            hits = check(path.read_text(encoding="utf-8")) if check is not views_imports \
                else check(path, path.read_text(encoding="utf-8"))
            if hits:
                found[path] = hits
    return found


# --- the checks on the code base --------------------------------------------------------------------------

def test_views_api_and_forms_read_through_selectors():
    found = _scan(objects_uses, is_entry_module)
    assert not found, "Model.objects in a view, API module or form (use a selector):\n" + _report(found)


def _holds_documents(path: Path) -> bool:
    """Business apps hold documents; the ground floor (``core``: an error's HTTP ``status``) and the project
    modules directly under salesflow/ do not."""
    parts = path.relative_to(PACKAGE).parts
    return len(parts) > 1 and parts[0] != "core"


def test_status_and_stage_change_only_in_services():
    found = _scan(state_assignments, lambda p: _holds_documents(p) and not is_services_module(p))
    assert not found, "status/stage written outside a services module:\n" + _report(found)


def test_no_app_imports_another_apps_views():
    found = _scan(views_imports)
    assert not found, "import of another app's views:\n" + _report(found)


def test_imports_follow_the_readme_layering_and_have_no_cycle():
    edges = import_graph.graph()
    assert import_graph.cycles(edges) == []
    problems = import_graph.violations(edges, import_graph.layers())
    assert not problems, "imports against the README's layers:\n" + "\n".join(problems)
    core = {target for target in edges.get("core", {})}
    assert not core, f"core imports {sorted(core)}"


def test_row_locks_on_joined_queries_name_their_table():
    found = _scan(unscoped_locks)
    assert not found, "select_for_update on a joined query without of=:\n" + _report(found)


# --- each check fails on a planted violation --------------------------------------------------------------

def _src(text: str) -> str:
    return textwrap.dedent(text)


def test_planted_objects_in_a_view_is_caught():
    assert objects_uses(_src("""
        from salesflow.crm.models import Customer
        from .models import Lead
        def view(request):
            return Customer.objects.all(), Lead._default_manager.none()
    """)) == [(5, "Customer.objects"), (5, "Lead._default_manager")]
    assert is_entry_module(Path("salesflow/leads/pool_views.py")) and is_entry_module(Path("x/api.py"))
    assert not is_entry_module(Path("salesflow/leads/selectors.py"))


def test_planted_status_assignment_is_caught():
    hits = state_assignments(_src("""
        def act(order, qs):
            order.status = "approved"
            qs.update(stage="won", note="x")
            Order.objects.bulk_update(rows, ["status"])
            order.name = "fine"
    """))
    assert [line for line, _ in hits] == [3, 4, 5]


def test_planted_views_import_is_caught():
    path = PACKAGE / "deals" / "x.py"
    assert views_imports(path, "from salesflow.crm.views import customer_detail\n") == \
        [(1, "from salesflow.crm.views import …")]
    assert views_imports(path, "from salesflow.crm import views\n") == [(1, "from salesflow.crm import views")]
    assert views_imports(path, "from salesflow.deals.views import x\n") == []
    assert views_imports(PACKAGE / "urls.py", "from salesflow.site import views\n") == []


def test_planted_layering_violation_is_caught(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("```layers\ncore\norg\ncrm\n```\n", encoding="utf-8")
    layers = import_graph.layers(readme)
    assert layers == [["core"], ["org"], ["crm"]]
    edges = {"core": {"crm": ["salesflow/core/x.py:1"]}, "crm": {"org": ["salesflow/crm/y.py:2"]}}
    problems = import_graph.violations(edges, layers)
    assert any(p.startswith("core → crm (upward)") for p in problems)
    assert import_graph.cycles({"a": {"b": []}, "b": {"a": []}}) == [["a", "b"]]


def test_planted_unscoped_lock_is_caught():
    hits = unscoped_locks(_src("""
        def lock(pk):
            a = Customer.objects.select_for_update().select_related("owner").get(pk=pk)
            b = Customer.objects.select_for_update(of=("self",)).select_related("owner").get(pk=pk)
            c = Customer.objects.select_for_update().filter(owner__unit__path__startswith="/1/").first()
            d = Customer.objects.select_for_update().filter(pk__in=[1, 2], name__icontains="x")
    """))
    assert [line for line, _ in hits] == [3, 5]


@pytest.mark.parametrize("path", ["salesflow/crm/services.py", "salesflow/leads/services/assign.py"])
def test_services_modules_are_recognised(path):
    assert is_services_module(Path(path))
