"""Templates follow the README's layers too (``scripts/import_graph.py`` reads them): ``{% load %}`` of another
app's tag library, ``{% url %}`` into another app's namespace and ``{% include %}`` / ``{% extends %}`` of another
app's template are edges like imports. Planted template strings show that each kind of edge is seen."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_graph)

NAMESPACES = {"crm": "crm", "deals": "deals", "pool": "pool", "leads": "leads", "visits": "visits"}
LIBRARIES = {"salesflow": "core", "customer_pool": "pool", "visits": "visits"}
APPS = {"core", "crm", "deals", "pool", "leads", "visits", "site"}
LAYERS = [["core"], ["crm"], ["deals"], ["pool"], ["leads"], ["visits"], ["site"]]


def edges(text: str, own: str = "crm") -> list[tuple[str, int]]:
    return [(target, line) for target, line, _tag in import_graph.template_edges(
        text, own, namespaces=NAMESPACES, libraries=LIBRARIES, known_apps=APPS)]


def upward(text: str, own: str = "crm") -> list[str]:
    graph = {own: {}}
    for target, line in edges(text, own):
        graph[own].setdefault(target, []).append(f"planted.html:{line}")
    return [problem for problem in import_graph.violations(graph, LAYERS) if "→" in problem]


@pytest.mark.parametrize(("text", "expected"), [
    # {% load %} of another app's library, alone, among others, or one name "from" it
    ('{% load i18n partials salesflow customer_pool %}', [("core", 1), ("pool", 1)]),
    ("{% load i18n %}\n\n{% load visits %}{% customer_visits customer %}", [("visits", 3)]),
    ("{% load customer_visits from visits %}", [("visits", 1)]),
    # {% url %} into another namespace, either quote, with arguments or "as"
    ("<a href=\"{% url 'deals:opportunity_create' %}?customer={{ customer.pk }}\">", [("deals", 1)]),
    ('{% url "leads:lead_detail" lead.pk as link %}', [("leads", 1)]),
    # {% include %} / {% extends %} of another app's template, and of the site's frame
    ('{% include "pool/_customer_pool_card.html" with customer=customer %}', [("pool", 1)]),
    ('{% extends "leads/lead_detail.html" %}', [("leads", 1)]),
    ('{% include "site/home.html" %}', [("site", 1)]),
    ('{% include "registration/login.html" %}', [("site", 1)]),
])
def test_planted_template_edges_are_seen(text, expected):
    assert edges(text) == expected


@pytest.mark.parametrize("text", [
    '{% extends "base.html" %}{% load i18n static partials %}',  # the layout every page fills; not apps' libraries
    "{% url 'crm:customer_detail' customer.pk %}{% include \"crm/_row.html\" %}",  # its own app
    "{% url 'home' %}{% url next_url %}",  # no namespace; a name in a variable
    "{% include panel.template %}{% include template_name with x=1 %}",  # data handed in by the view
    '{# {% url "visits:log_create" %} #}\n{% comment %}{% load visits %}{% endcomment %}',  # commented out
    '{% include "django/forms/widgets/input.html" %}',  # not a salesflow template
])
def test_what_is_not_an_edge(text):
    assert edges(text) == []


def test_comments_keep_the_lines_of_what_follows():
    text = '{% comment %}\nold\n{% endcomment %}\n{# x #}\n{% url "deals:funnel" %}'
    assert edges(text) == [("deals", 5)]


def test_planted_upward_template_edges_break_the_layering():
    # The customer page as it was: crm loading the pool's and the visits' tags and linking to deals.
    page = ('{% load i18n salesflow customer_pool %}\n'
            '<a href="{% url \'deals:opportunity_list\' %}">\n'
            '{% load visits %}{% customer_visits customer %}\n')
    assert upward(page) == [
        "crm → deals (upward): planted.html:2",
        "crm → pool (upward): planted.html:1",
        "crm → visits (upward): planted.html:3",
    ]
    # The pool's pages as they were: the leads' tabs and the lead pool's URL.
    pool_page = '{% include "leads/_config_tabs.html" %}\n<a href="{% url \'leads:lead_pool\' %}">'
    assert upward(pool_page, own="pool") == ["pool → leads (upward): planted.html:1, planted.html:2"]
    # Down is fine: visits linking to a lead, leads including the pool's tabs.
    assert upward("{% url 'leads:lead_detail' lead.pk %}", own="visits") == []
    assert upward('{% include "pool/_config_tabs.html" %}', own="leads") == []


def test_templates_belong_to_their_app_and_maps_come_from_the_code(tmp_path):
    package = tmp_path / "salesflow"
    for app in ("core", "crm", "pool", "workcal"):
        (package / app).mkdir(parents=True)
        (package / app / "__init__.py").write_text("")
    (package / "pool" / "urls.py").write_text('from django.urls import path\n\napp_name = "pool"\nurlpatterns = []\n')
    (package / "pool" / "templatetags").mkdir()
    for name in ("__init__", "customer_pool"):
        (package / "pool" / "templatetags" / f"{name}.py").write_text("")
    for name in ("base.html", "registration/login.html", "site/home.html", "crm/customer_detail.html",
                 "core/_field.html", "django/forms/x.html"):
        (package / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        (package / "templates" / name).write_text("")
    (package / "workcal" / "templates" / "workcal").mkdir(parents=True)
    (package / "workcal" / "templates" / "workcal" / "year.html").write_text("")

    assert import_graph.url_namespaces(package) == {"pool": "pool"}
    assert import_graph.template_libraries(package) == {"customer_pool": "pool"}
    owners = {path.relative_to(package).as_posix(): app for path, app in import_graph.templates(package)}
    assert owners == {
        "templates/base.html": "site", "templates/registration/login.html": "site", "templates/site/home.html": "site",
        "templates/crm/customer_detail.html": "crm", "templates/core/_field.html": "core",
        "workcal/templates/workcal/year.html": "workcal",
    }


def test_the_real_maps_and_graph_read_the_templates():
    assert import_graph.url_namespaces()["deals"] == "deals"
    assert import_graph.template_libraries()["salesflow"] == "core"
    graph = import_graph.graph()
    # Every page extends base.html (not an edge) and includes core's field partial (an edge down).
    assert any(".html:" in where for where in graph["crm"]["core"])
    # The customer file names no app above crm: what they add comes through crm.hooks.CUSTOMER_PANELS.
    above = {"deals", "pool", "leads", "reception", "visits", "site"}
    crm_templates = [where for target, wheres in graph["crm"].items() if target in above for where in wheres]
    assert crm_templates == []
