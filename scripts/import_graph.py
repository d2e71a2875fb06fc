#!/usr/bin/env python3
"""Print the app-level import graph of salesflow/ and check it against the layering in the README.

    python scripts/import_graph.py          # edges with counts, cycles, layering violations; exit 1 on any
    python scripts/import_graph.py --dot    # the graph in Graphviz dot

Every ``import salesflow.X`` / ``from salesflow.X… import`` in ``salesflow/<app>/**.py`` (module level and inside
functions alike: a lazy import is still a dependency) is an edge from <app> to X.

Templates depend on apps too, so they are read as well. A template under ``salesflow/templates/<app>/`` or
``salesflow/<app>/templates/`` belongs to <app>; ``base.html``, ``registration/`` and ``site/`` are the site's frame
(the site layer). In a template, ``{% load lib %}`` of a library defined in ``salesflow/<X>/templatetags/lib.py``,
``{% url 'ns:…' %}`` of the namespace that ``salesflow/<X>/urls.py`` declares (``app_name``) and
``{% include "<X>/…" %}`` / ``{% extends "<X>/…" %}`` are edges to X. Extending ``base.html`` is not: every page
fills the site's layout, which is how the site layer is meant to be reached (like its navigation). Template names
held in variables (``{% include panel.template %}``) are data handed in by the view, not edges.

The layers are read from the README's architecture section (the fenced block that starts with ``layers``), so
they are written down once. Used by tests/test_conventions.py and tests/test_template_layers.py.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "salesflow"
# Modules directly under salesflow/ (settings, urls, the API root, the CLI) wire everything together: not an app.
PROJECT_MODULES = {"settings", "urls", "api", "cli", "wsgi", "asgi", "__init__"}


def apps(package: Path = PACKAGE) -> list[str]:
    return sorted(p.name for p in package.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"static", "templates"})


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(target app, line) for every salesflow import in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = path.relative_to(PACKAGE).parts[0]
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = list(path.relative_to(ROOT).with_suffix("").parts[:-node.level])
                module = ".".join(base + ([node.module] if node.module else []))
                names = [module]
            elif node.module:
                names = [node.module]
                if node.module == "salesflow":  # from salesflow import crm
                    names = [f"salesflow.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 2 and parts[0] == "salesflow" and parts[1] != own \
                    and parts[1] not in PROJECT_MODULES:
                found.append((parts[1], node.lineno))
    return found


# The site's frame: templates that belong to the site layer wherever they live.
SITE = "site"
SITE_TEMPLATES = ("registration/", "site/")
# The layout every page extends; reaching it is not a dependency on the site app.
LAYOUT = "base.html"
_TAG = re.compile(r"{%\s*(load|url|include|extends)\s+(.*?)\s*%}", re.S)
_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_APP_NAME = re.compile(r"""^app_name\s*=\s*['"]([\w-]+)['"]""", re.M)


def url_namespaces(package: Path = PACKAGE) -> dict[str, str]:
    """URL namespace → app, from each ``salesflow/<app>/urls.py``'s ``app_name``."""
    found = {}
    for path in sorted(package.glob("*/urls.py")):
        match = _APP_NAME.search(path.read_text(encoding="utf-8"))
        if match:
            found[match.group(1)] = path.parent.name
    return found


def template_libraries(package: Path = PACKAGE) -> dict[str, str]:
    """Template-tag library name → app, from ``salesflow/<app>/templatetags/<library>.py``."""
    return {path.stem: path.parent.parent.name for path in sorted(package.glob("*/templatetags/*.py"))
            if path.stem != "__init__"}


def template_app(name: str, known_apps) -> str | None:
    """The app a template name (``crm/customer_detail.html``) belongs to; None for one outside salesflow."""
    if name == LAYOUT or name.startswith(SITE_TEMPLATES):
        return SITE
    first = name.split("/", 1)[0]
    return first if "/" in name and first in known_apps else None


def _literal(token: str) -> str | None:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        return token[1:-1]
    return None


def template_edges(text: str, own: str, *, namespaces: dict[str, str], libraries: dict[str, str],
                   known_apps) -> list[tuple[str, int, str]]:
    """(target app, line, the tag) for every reference from one template (belonging to ``own``) to another app."""
    found = []
    # Comments are blanked, not removed, so that the lines of what follows stay right.
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for match in _TAG.finditer(text):
        tag, args = match.group(1), match.group(2).split()
        if not args:
            continue
        targets: list[str | None] = []
        if tag == "load":
            names = args[args.index("from") + 1:] if "from" in args else args
            targets = [libraries.get(name) for name in names]
        elif tag == "url":
            name = _literal(args[0])
            if name and ":" in name:
                targets = [namespaces.get(name.split(":", 1)[0])]
        else:
            name = _literal(args[0])
            if name and not (tag == "extends" and name == LAYOUT):
                targets = [template_app(name, known_apps)]
        line = text.count("\n", 0, match.start()) + 1
        found += [(target, line, match.group(0)) for target in targets if target and target != own]
    return found


def templates(package: Path = PACKAGE) -> list[tuple[Path, str]]:
    """(path, owning app) of every template: ``templates/<app>/…`` belongs to <app>, the frame to the site, and a
    template in ``salesflow/<app>/templates/`` to <app>."""
    known = set(apps(package))
    found = []
    for path in sorted((package / "templates").rglob("*.html")):
        owner = template_app(path.relative_to(package / "templates").as_posix(), known)
        if owner:
            found.append((path, owner))
    for app in sorted(known):
        found += [(path, app) for path in sorted((package / app / "templates").rglob("*.html"))]
    return found


def graph() -> dict[str, dict[str, list[str]]]:
    """app → target app → ["path:line", …], from the Python imports and the templates."""
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app in apps():
        for path in sorted((PACKAGE / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for target, line in imports_of(path):
                edges[app][target].append(f"{path.relative_to(ROOT)}:{line}")
    namespaces, libraries, known = url_namespaces(), template_libraries(), set(apps())
    for path, owner in templates():
        text = path.read_text(encoding="utf-8")
        for target, line, _tag in template_edges(text, owner, namespaces=namespaces, libraries=libraries,
                                                 known_apps=known):
            edges[owner][target].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def cycles(edges) -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(edges) | {w for targets in edges.values() for w in targets}):
        if v not in index:
            visit(v)
    return found


def layers(readme: Path = ROOT / "README.md") -> list[list[str]]:
    """The layering, lowest first, from the README's ```layers … ``` block: one line per layer, apps separated by
    spaces or '·', anything after '#' a comment."""
    text = readme.read_text(encoding="utf-8")
    match = re.search(r"```layers\n(.*?)```", text, re.S)
    if not match:
        raise SystemExit("README.md has no ```layers block")
    result = []
    for line in match.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            result.append([a for a in re.split(r"[\s·]+", line) if a])
    return result


def violations(edges, layering) -> list[str]:
    """Imports that go sideways or up: an app may import only apps on lower layers."""
    level = {app: i for i, layer in enumerate(layering) for app in layer}
    problems = []
    for app in apps():
        if app not in level:
            problems.append(f"{app}: not in the README's layers")
    for app, targets in sorted(edges.items()):
        for target, where in sorted(targets.items()):
            if app in level and target in level and level[target] >= level[app]:
                kind = "same layer" if level[target] == level[app] else "upward"
                problems.append(f"{app} → {target} ({kind}): {', '.join(where[:3])}"
                                + (f" and {len(where) - 3} more" if len(where) > 3 else ""))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dot", action="store_true", help="print Graphviz dot")
    args = parser.parse_args()
    edges = graph()
    if args.dot:
        print("digraph salesflow {\n  rankdir=BT;")
        for app, targets in sorted(edges.items()):
            for target, where in sorted(targets.items()):
                print(f'  "{app}" -> "{target}" [label="{len(where)}"];')
        print("}")
        return 0
    for app in apps():
        targets = edges.get(app, {})
        line = ", ".join(f"{t} ({len(w)})" for t, w in sorted(targets.items())) or "—"
        print(f"{app:14} → {line}")
    found = cycles(edges)
    problems = violations(edges, layers())
    print()
    print("cycles: " + ("none" if not found else "; ".join(" ↔ ".join(c) for c in found)))
    print("layering: " + ("respected" if not problems else f"{len(problems)} violation(s)"))
    for problem in problems:
        print("  " + problem)
    return 1 if found or problems else 0


if __name__ == "__main__":
    sys.exit(main())
