"""The conventions every app follows, checked by reading the code (``ast``), so a new app cannot drift from them:

- whatever answers a request or renders (views, API modules, forms, pages, context processors, template tags,
  blocks, panels) reads through selectors: no business model's ``.objects`` / ``_default_manager`` there (nor
  on a model reached through ``apps.get_model`` or a ``models`` module), and no ``get_object_or_404`` /
  ``get_list_or_404``, which read unscoped and skip "not yours = not found";
- a document's status or stage changes only in a services module (where the state machine, the permission
  check, the transaction and the audit event are);
- no app imports another app's views (``from … import``, ``import …``, relative or aliased), and every import
  follows the layering written in the README
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


ENTRY_KINDS = ("views", "api", "forms", "pages", "context_processors", "blocks", "panels")


def is_entry_module(path: Path) -> bool:
    """Whatever answers a request or renders: ``views.py``, ``*_views.py``, ``api.py``, ``*_api.py``,
    ``forms.py``, ``pages.py``, ``context_processors.py``, ``blocks.py``, ``panels.py`` (and their ``*_``
    forms), and every module of a ``templatetags`` package."""
    stem = path.stem
    if "templatetags" in path.parts[:-1]:
        return True
    return any(stem == kind or stem.endswith("_" + kind) for kind in ENTRY_KINDS)


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


MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _is_get_model(node: ast.AST) -> bool:
    """``apps.get_model(…)``, ``django_apps.get_model(…)``, ``get_model(…)``."""
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == "get_model")
        or (isinstance(node.func, ast.Name) and node.func.id == "get_model"))


def _models_modules(tree: ast.AST) -> set[str]:
    """Names that stand for a salesflow ``models`` module: ``from salesflow.crm import models [as m]``,
    ``from . import models``, ``import salesflow.crm.models [as m]``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("salesflow")):
            names |= {alias.asname or alias.name for alias in node.names if alias.name == "models"}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("salesflow.") and alias.name.split(".")[-1] == "models":
                    names.add(alias.asname or alias.name)
    return names


def objects_uses(source: str) -> list[tuple[int, str]]:
    """Unscoped reads: a model's manager (a model imported from a salesflow ``models`` module, reached through
    such a module, or through ``apps.get_model``) and Django's ``get_object_or_404`` / ``get_list_or_404``."""
    tree = ast.parse(source)
    models = model_names(tree)
    modules = _models_modules(tree)
    shortcuts = set(SHORTCUTS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.shortcuts":
            shortcuts |= {alias.asname for alias in node.names if alias.name in SHORTCUTS and alias.asname}
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _is_get_model(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            models |= {t.id for t in targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            value = node.value
            dotted = _dotted(value)
            if _is_get_model(value):
                found.append((node.lineno, f"get_model(…).{node.attr}"))
            elif dotted and (dotted in models or dotted.rpartition(".")[0] in modules):
                found.append((node.lineno, f"{dotted}.{node.attr}"))
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name in shortcuts:
                what = _dotted(node.args[0]) if node.args else None
                found.append((node.lineno, f"{name}({what or '…'})"))
    return sorted(found)


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


def _is_views_module(module: str) -> bool:
    last = module.split(".")[-1]
    return last == "views" or last.endswith("_views")


def _absolute(path: Path, module: str | None, level: int) -> str:
    """The absolute module a (possibly relative) ``from … import`` names, seen from ``path``."""
    if not level:
        return module or ""
    package = ("salesflow",) + path.relative_to(PACKAGE).parts[:-1]
    base = package[:len(package) - (level - 1)] if level > 1 else package
    return ".".join(base + ((module,) if module else ()))


def views_imports(path: Path, source: str) -> list[tuple[int, str]]:
    """Imports of another app's views module, in every spelling: ``from salesflow.x.views import …``,
    ``from salesflow.x import views [as v]``, ``import salesflow.x.views [as v]``, the relative forms
    (``from ..x import views``) and ``import_module("salesflow.x.views")``."""
    parts = path.relative_to(PACKAGE).parts
    if len(parts) == 1:  # the project's own modules (urls.py wires every app's views together)
        return []
    own = parts[0]

    def foreign(module: str) -> bool:
        bits = module.split(".")
        return len(bits) >= 3 and bits[0] == "salesflow" and bits[1] != own and _is_views_module(module)

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(path, node.module, node.level)
            shown = "." * node.level + (node.module or "")
            if foreign(module):
                found.append((node.lineno, f"from {shown} import …"))
                continue
            for alias in node.names:
                if foreign(f"{module}.{alias.name}"):
                    found.append((node.lineno, f"from {shown} import {alias.name}"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {alias.name}") for alias in node.names if foreign(alias.name)]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and foreign(node.args[0].value) \
                and (_dotted(node.func) or "").split(".")[-1] in {"import_module", "__import__"}:
            found.append((node.lineno, f"import_module({node.args[0].value!r})"))
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
    assert not found, ("unscoped read (Model.objects, get_object_or_404…) in a view, API module, form, page, "
                       "context processor, template tag, block or panel (use a selector):\n" + _report(found))


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


def test_planted_get_object_or_404_is_caught():
    assert objects_uses(_src("""
        from django.shortcuts import get_list_or_404
        from django.shortcuts import get_object_or_404 as fetch
        from django import shortcuts
        from salesflow.crm.models import Customer
        def view(request, pk):
            a = get_object_or_404(Customer, pk=pk)
            b = get_list_or_404(Customer, owner=request.user)
            c = fetch(Customer, pk=pk)
            d = shortcuts.get_object_or_404(Customer.objects.all(), pk=pk)
    """)) == [(7, "get_object_or_404(Customer)"), (8, "get_list_or_404(Customer)"), (9, "fetch(Customer)"),
              (10, "Customer.objects"), (10, "get_object_or_404(…)")]


def test_planted_manager_reached_another_way_is_caught():
    assert objects_uses(_src("""
        from django.apps import apps
        from salesflow.crm import models
        from . import models as own
        import salesflow.leads.models
        import salesflow.deals.models as dm
        Customer = apps.get_model("crm", "Customer")
        def view(request, pk):
            a = Customer._default_manager.get(pk=pk)
            b = apps.get_model("crm.Contact").objects.all()
            c = models.Customer.objects.all()
            d = own.Lead._base_manager.all()
            e = salesflow.leads.models.Lead.objects.all()
            f = dm.Opportunity.objects.all()
            g = request.user.customers.all()
    """)) == [(9, "Customer._default_manager"), (10, "get_model(…).objects"), (11, "models.Customer.objects"),
              (12, "own.Lead._base_manager"), (13, "salesflow.leads.models.Lead.objects"),
              (14, "dm.Opportunity.objects")]


@pytest.mark.parametrize("path", ["salesflow/imports/pages.py", "salesflow/site/context_processors.py",
                                  "salesflow/pool/templatetags/customer_pool.py", "salesflow/approvals/blocks.py",
                                  "salesflow/deals/discount_blocks.py", "salesflow/crm/forms.py",
                                  "salesflow/visits/panels.py", "salesflow/core/templatetags/salesflow.py"])
def test_everything_that_renders_is_an_entry_module(path):
    assert is_entry_module(Path(path))


@pytest.mark.parametrize("path", ["salesflow/crm/selectors.py", "salesflow/crm/services.py",
                                  "salesflow/org/scope.py", "salesflow/pool/rules.py"])
def test_reads_and_writes_are_not_entry_modules(path):
    assert not is_entry_module(Path(path))


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


def test_planted_views_import_in_other_spellings_is_caught():
    path = PACKAGE / "deals" / "discounts" / "x.py"
    assert views_imports(path, _src("""
        import salesflow.crm.views
        import salesflow.pool.views as pv, salesflow.crm.selectors
        from salesflow.crm import views as v
        from salesflow.deals import opportunity_views, selectors
        from ...crm import views
        from ...leads.pool_views import x
        from .. import views
        from . import views
        import importlib
        m = importlib.import_module("salesflow.visits.views")
        import salesflow.deals.views
    """)) == [(2, "import salesflow.crm.views"), (3, "import salesflow.pool.views"),
              (4, "from salesflow.crm import views"), (6, "from ...crm import views"),
              (7, "from ...leads.pool_views import …"), (11, "import_module('salesflow.visits.views')")]


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
