"""The lead-rule pages: scoring rules and territory (assignment) rules (the pool policies tab is the pool app's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, PermissionRefused
from salesflow.core.pages import form_errors, page_view
from salesflow.org.roles import has_capability
from salesflow.pool.policies import policy_for

from . import selectors
from .config_forms import RuleForm
from .models import Assessment, Level
from .services import rules as config


def _require(request, capability: str = "lead.configure") -> None:
    if not has_capability(request.user, capability):
        raise PermissionRefused()


@page_view
def scoring(request):
    _require(request)
    can_edit = has_capability(request.user, "lead.configure_company")
    errors = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionRefused()
        try:
            config.scoring_rules_save(by=request.user, points=request.POST)
        except AppError as exc:
            errors = exc.fields
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Scoring rules saved."))
            return redirect("leads:config_scoring")
    grid = config.scoring_grid()
    table = []
    for assessment in Assessment:
        cells = []
        for level in Level:
            key = f"{assessment.value}.{level.value}"
            value = request.POST.get(key, grid[assessment.value][level.value]) if errors else \
                grid[assessment.value][level.value]
            cells.append({"key": key, "label": level.label, "value": value, "errors": errors.get(key, [])})
        table.append({"label": assessment.label, "cells": cells,
                      "max": max(grid[assessment.value].values())})
    threshold = policy_for(None).qualify_threshold  # the company default's
    examples = config.score_examples(grid)
    for example in examples:
        example["qualified"] = example["score"] >= threshold
    return render(request, "leads/config_scoring.html", {
        "table": table, "levels": Level.choices, "threshold": threshold, "examples": examples,
        "top": sum(row["max"] for row in table), "can_edit": can_edit, "tab": "scoring"})


@page_view
def rule_list(request):
    _require(request)
    rules = selectors.assignment_rule_list(user=request.user)
    return render(request, "leads/config_rules.html", {"rules": rules, "tab": "rules",
                                                       "company": config._company_wide(request.user)})


@page_view
def rule_edit(request, rule_id: int | None = None):
    _require(request)
    user = request.user
    rule = None
    if rule_id is not None:
        rule = selectors.assignment_rule_get(user=user, rule_id=rule_id)
        if rule is None:
            raise Http404(_("Rule not found."))
    teams, users, regions = config.assignable_targets(user)
    initial = {"priority": 100, "is_active": True}
    if rule is not None:
        initial = {"priority": rule.priority, "province": rule.province, "industry": rule.industry,
                   "region": str(rule.region_id or ""), "team": str(rule.team_id or ""),
                   "user": str(rule.user_id or ""), "is_active": rule.is_active}
    elif not config._company_wide(user) and regions:
        initial["region"] = str(regions[0].pk)
    form = RuleForm(request.POST or None, initial=initial, teams=teams, users=users, regions=regions)
    if request.method == "POST":
        data = {key: request.POST.get(key, "") for key in ("priority", "province", "region", "industry", "team",
                                                            "user")}
        data["is_active"] = request.POST.get("is_active") in ("on", "1", "true")
        try:
            config.rule_save(by=user, rule_id=rule.pk if rule else None, data=data)
        except AppError as exc:
            form.is_valid()
            form_errors(form, exc)
        else:
            messages.success(request, _("Territory rule saved."))
            return redirect("leads:config_rules")
    return render(request, "leads/config_rule_form.html", {"form": form, "rule": rule, "tab": "rules"})


@require_POST
@page_view
def rule_active(request, rule_id: int):
    _require(request)
    active = request.POST.get("active") == "1"
    config.rule_set_active(by=request.user, rule_id=rule_id, active=active)
    messages.success(request, _("Territory rule activated.") if active else _("Territory rule deactivated."))
    return redirect("leads:config_rules")


@require_POST
@page_view
def rule_move(request, rule_id: int):
    _require(request)
    try:
        config.rule_move(by=request.user, rule_id=rule_id, direction=request.POST.get("direction", ""))
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    return redirect("leads:config_rules")
