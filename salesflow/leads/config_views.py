"""The lead-rule pages: pool policies per unit, scoring rules, territory (assignment) rules."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, PermissionRefused
from salesflow.core.pages import form_errors, page_view
from salesflow.org.models import OrgUnit
from salesflow.org.roles import has_capability
from salesflow.org.scope import data_scope

from . import config
from .config_forms import PolicyForm, RuleForm
from .models import Assessment, LeadAssignmentRule, LeadPolicy, Level
from .services import DEFAULT_POLICY, PolicyBook


def _require(request, capability: str = "lead.configure") -> None:
    if not has_capability(request.user, capability):
        raise PermissionRefused()


def _values(policy: LeadPolicy) -> dict:
    return {field: getattr(policy, field) for field in config.POLICY_FIELDS}


@page_view
def policy_list(request):
    """Every unit the user may configure, with the rules in force and where they come from."""
    _require(request)
    user = request.user
    book = PolicyBook()
    company = config._company_wide(user)
    units = OrgUnit.objects.filter(is_active=True).order_by("path")
    if not company:
        units = units.filter(pk__in=data_scope(user).unit_ids)
    names = {u.pk: u.name for u in OrgUnit.objects.only("id", "name")}
    rows = []
    for unit in units:
        own = book.policies.get(unit.pk)
        effective = own or config.nearest_inherited(book, unit)
        rows.append({"unit": unit, "own": own is not None, "policy": effective, "indent": range(unit.depth),
                     "source": names.get(effective.unit_id) if effective.unit_id else None})
    default = book.policies.get(None) or DEFAULT_POLICY
    return render(request, "leads/config_policies.html", {
        "rows": rows, "default": default, "can_edit_default": company, "tab": "policies"})


@page_view
def policy_edit(request, unit_id: int | None = None):
    _require(request)
    user = request.user
    unit = None
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id, is_active=True).select_related("parent").first()
        if unit is None or not config.can_configure_unit(user, unit):
            raise Http404(_("Unit not found."))
    elif not config.can_configure_unit(user, None):
        raise PermissionRefused(_("Only the sales director or the administrator may change the company default."))
    book = PolicyBook()
    own = book.policies.get(unit.pk if unit else None)
    inherited = config.nearest_inherited(book, unit) if unit is not None else None
    shown = own or inherited or DEFAULT_POLICY
    form = PolicyForm(request.POST or None, initial=_values(shown))
    if request.method == "POST":
        try:
            config.policy_save(by=user, unit=unit, data=request.POST)
        except AppError as exc:
            form.is_valid()
            form_errors(form, exc)
        else:
            messages.success(request, _("Pool policy saved."))
            return redirect("leads:config_policies")
    source = None
    if inherited is not None:
        source = inherited.unit.name if inherited.unit_id else _("Company default")
    return render(request, "leads/config_policy_form.html", {
        "form": form, "unit": unit, "own": own is not None, "source": source, "tab": "policies"})


@require_POST
@page_view
def policy_remove(request, unit_id: int):
    _require(request)
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("Unit not found."))
    config.policy_remove(by=request.user, unit=unit)
    messages.success(request, _("{unit} inherits its rules again.").format(unit=unit.name))
    return redirect("leads:config_policies")


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
    threshold = (PolicyBook().policies.get(None) or DEFAULT_POLICY).qualify_threshold
    examples = config.score_examples(grid)
    for example in examples:
        example["qualified"] = example["score"] >= threshold
    return render(request, "leads/config_scoring.html", {
        "table": table, "levels": Level.choices, "threshold": threshold, "examples": examples,
        "top": sum(row["max"] for row in table), "can_edit": can_edit, "tab": "scoring"})


@page_view
def rule_list(request):
    _require(request)
    rules = [r for r in LeadAssignmentRule.objects.select_related("region", "team", "user", "user__unit")
             .order_by("priority", "id") if config.rule_in_scope(request.user, r)]
    return render(request, "leads/config_rules.html", {"rules": rules, "tab": "rules",
                                                       "company": config._company_wide(request.user)})


@page_view
def rule_edit(request, rule_id: int | None = None):
    _require(request)
    user = request.user
    rule = None
    if rule_id is not None:
        rule = LeadAssignmentRule.objects.filter(pk=rule_id).select_related("region", "team", "user").first()
        if rule is None or not config.rule_in_scope(user, rule):
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
