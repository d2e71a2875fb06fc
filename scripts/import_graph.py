#!/usr/bin/env python3
"""Print the app-level import graph of salesflow/ and check it against the layering in the README.

    python scripts/import_graph.py          # edges with counts, cycles, layering violations; exit 1 on any
    python scripts/import_graph.py --dot    # the graph in Graphviz dot

Every ``import salesflow.X`` / ``from salesflow.X… import`` in ``salesflow/<app>/**.py`` (module level and inside
functions alike: a lazy import is still a dependency) is an edge from <app> to X. The layers are read from the
README's architecture section (the fenced block that starts with ``layers``), so they are written down once.
Used by tests/test_conventions.py.
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


def apps() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir()
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


def graph() -> dict[str, dict[str, list[str]]]:
    """app → target app → ["path:line", …]."""
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app in apps():
        for path in sorted((PACKAGE / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for target, line in imports_of(path):
                edges[app][target].append(f"{path.relative_to(ROOT)}:{line}")
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
