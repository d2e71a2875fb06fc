"""Issue #4's browser flow: a rep imports a small lead file, screens and converts one lead, drags its opportunity
across the kanban to 报价与谈判, and the funnel page shows it there. Screenshots go to test-results/browser/."""

import importlib
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OUTPUT
from tests.pages.conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEADS_CSV = (
    "公司名称,联系人,手机,省份,城市,需求说明\n"
    "杭州云帆智能装备有限公司,陈工,13905710001,浙江省,杭州,两条自动化产线改造\n"
    "宁波海曙精密模具有限公司,林经理,13805740002,浙江省,宁波,注塑模具检测设备\n"
    "绍兴柯桥纺织印染有限公司,王总,13705750003,浙江省,绍兴,污水处理设备升级\n"
).encode()


def _default_scoring_rules():
    """The shipped screening rules and company pool policy (a data migration): an earlier browser test's flush of
    the live-server database removes them, so put them back as a fresh installation has them, through the
    migration's own seed function and today's models."""
    from salesflow.leads.models import LeadScoringRule
    from salesflow.pool.models import PoolPolicy

    # The models the migration asks for by their historical names (leads 0002 predates the pool app).
    current = {("leads", "LeadScoringRule"): LeadScoringRule, ("leads", "LeadPolicy"): PoolPolicy}
    seed = importlib.import_module("salesflow.leads.migrations.0002_seed_scoring_and_policy").seed
    seed(SimpleNamespace(get_model=lambda app_label, model_name: current[app_label, model_name]), None)


def test_rep_imports_leads_converts_one_and_moves_it_to_quote_on_the_kanban(live_server, page, tmp_path):
    _default_scoring_rules()
    world = build_world()
    base = live_server.url
    page.goto(base + "/login/")
    page.fill("#id_username", world.rep.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user-menu]")

    # 1. Import: upload → mapping (suggested from the headers) → check → confirm.
    csv_file = tmp_path / "展会线索.csv"
    csv_file.write_bytes(LEADS_CSV)
    page.goto(base + "/leads/import/")
    page.set_input_files("[data-testid=import-upload] input[type=file]", str(csv_file))
    page.click("[data-testid=import-upload] button")
    page.wait_for_selector("[data-testid=import-mapping]")
    page.select_option("#default_channel", index=1)  # the file has no channel column: one for the whole file
    page.click("[data-testid=import-mapping] button[value=check]")
    page.wait_for_selector("[data-testid=import-confirm]")
    page.screenshot(path=str(OUTPUT / "leads_01_import_checked.png"), full_page=True)
    page.click("[data-testid=import-confirm]")
    page.wait_for_selector("[data-testid=import-status].alert-success")  # done (the progress bar polls until then)
    page.goto(base + "/leads/?mine=1")
    rows = page.locator("[data-testid=lead-row]")
    rows.first.wait_for()
    assert rows.count() == 3

    # 2. Screen the lead (need, purchasing power, credit → a qualifying score), then convert it in one step.
    page.click("text=杭州云帆智能装备有限公司")
    page.wait_for_selector("[data-testid=screen-form]")
    for field in ("need", "purchasing_power", "credit"):
        page.select_option(f"[data-testid=screen-form] select[name={field}]", "high")
    page.click("[data-testid=screen-form] button")
    page.wait_for_selector("[data-testid=convert]")
    page.click("[data-testid=convert]")
    page.wait_for_url("**/customers/*/")  # the new customer file, made from the lead without retyping
    assert page.inner_text("[data-testid=customer-name]") == "杭州云帆智能装备有限公司"
    assert "13905710001" in page.inner_text("#contacts")
    page.screenshot(path=str(OUTPUT / "leads_02_converted.png"), full_page=True)

    # 3. Drag the card from 接触潜在客户 to 报价与谈判 on the kanban.
    page.goto(base + "/deals/opportunities/board/")
    card = page.locator("[data-testid=kanban-card]", has_text="杭州云帆智能装备有限公司")
    card.wait_for()
    assert card.count() == 1
    opportunity_id = card.get_attribute("data-opportunity")
    assert card.locator("xpath=ancestor::section").get_attribute("data-stage") == "contact"
    card.drag_to(page.locator("[data-testid=kanban-column-quote]"))
    moved = page.locator(f"[data-testid=kanban-column-quote] [data-opportunity='{opportunity_id}']")
    moved.wait_for()
    # The server answers the drop with the re-rendered board: the column's count and amount follow.
    expect(page.locator("[data-testid=kanban-column-quote] [data-testid=column-count]")).to_have_text("1")
    expect(page.locator("[data-testid=kanban-column-contact] [data-testid=column-count]")).to_have_text("0")
    page.screenshot(path=str(OUTPUT / "leads_03_kanban_quote.png"), full_page=True)

    # 4. The funnel: one deal now in 报价与谈判, having reached it (and the stages before).
    page.goto(base + "/deals/opportunities/funnel/")
    row = page.locator("[data-testid=funnel-table] tr[data-stage=quote]")
    row.wait_for()
    assert row.locator("[data-testid=stage-count]").inner_text().strip() == "1"
    assert page.locator("[data-testid=kpi-count]").inner_text().strip() == "1"
    page.screenshot(path=str(OUTPUT / "leads_04_funnel.png"), full_page=True)
