"""Approval pages: the approver's inbox and history, the requester's requests, one request's record, policies,
and delegations. Thin: reads through selectors, every change through a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, NotFound
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without, safe_next
from salesflow.org.roles import has_capability

from . import policies, selectors, services
from .blocks import approval_block, countdown, document_label, document_url
from .flowchart import flowchart_svg, lane_label
from .forms import DelegationForm, PolicyTextForm
from .models import ApprovalPolicy, RequestStatus, StageKind
from .registry import DOCUMENT_LABELS

# ── helpers ─────────────────────────────────────────────────────────────────────────────────────────────────


def _decorate(tasks, now=None) -> list:
    now = now or timezone.now()
    tasks = list(tasks)
    opinions = selectors.opinions_before(tasks)
    for task in tasks:
        task.opinions = [o for o in opinions.get(task.request_id, []) if o.step_id != task.step_id]
        task.document_label = document_label(task.request.document_type)
        task.document_url = document_url(task.request)
        task.countdown, task.is_overdue = countdown(task.due_at, now)
    return tasks



def _message_of(exc: AppError) -> str:
    details = [str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms])]
    return " ".join(details) or str(exc.message)


def _require(request, capability: str) -> None:
    if not has_capability(request.user, capability):
        raise PermissionDenied


# ── inbox, history, my requests ─────────────────────────────────────────────────────────────────────────────


def _inbox_filters(request) -> selectors.InboxFilters:
    g = request.GET
    document_type = g.get("type", "")
    return selectors.InboxFilters(document_type=document_type if document_type in DOCUMENT_LABELS else "",
                                  overdue=g.get("overdue") == "1", q=g.get("q", "").strip()[:100])


@page_view
def inbox(request):
    filters = _inbox_filters(request)
    page = paginate(request, selectors.inbox(user=request.user, filters=filters))
    context = {
        "page": page, "tasks": _decorate(page.object_list), "filters": filters,
        "querystring": querystring_without(request, "page"),
        "document_types": [(k, str(v)) for k, v in DOCUMENT_LABELS.items()],
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "approvals/inbox.html#results", context)
    return render(request, "approvals/inbox.html", context)


def _my_task(user, task_id: int):
    task = (selectors.inbox(user=user).filter(pk=task_id).first()
            or selectors.history(user=user).filter(pk=task_id).first())
    if task is None:
        raise NotFound(_("Approval task not found."))
    return _decorate([task])[0]


@require_POST
@page_view
def task_decide(request, task_id: int):
    """Approve or reject with an opinion: in the inbox the row swaps to its decided state (htmx); elsewhere the
    browser goes back to the page it came from."""
    decision = request.POST.get("decision", "")
    opinion = request.POST.get("opinion", "")
    error = ""
    if decision not in ("approve", "reject"):
        error = _("Choose approve or reject.")
    else:
        try:
            services.approval_decide(by=request.user, task_id=task_id, approve=decision == "approve",
                                     opinion=opinion)
        except NotFound:
            raise
        except AppError as exc:  # opinion missing, already decided, own request: said in place
            error = _message_of(exc)
    if request.htmx:
        return render(request, "approvals/inbox.html#task_row", {
            "task": _my_task(request.user, task_id), "error": error, "opinion": opinion if error else ""})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _decided_message(request.user, task_id, decision == "approve"))
    return redirect(safe_next(request, reverse("approvals:inbox")))


def _decided_message(user, task_id: int, approve: bool) -> str:
    task = selectors.task_get(user=user, task_id=task_id)
    if task is not None and task.step.kind == StageKind.OPINION:
        return _("Your opinion was recorded and sent up.")
    return _("Approved.") if approve else _("Rejected; the document went back to its author.")


@page_view
def history(request):
    page = paginate(request, selectors.history(user=request.user))
    return render(request, "approvals/history.html", {
        "page": page, "tasks": _decorate(page.object_list), "querystring": querystring_without(request, "page")})


@page_view
def my_requests(request):
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    page = paginate(request, selectors.my_requests(user=request.user, status=status))
    waiting = selectors.waiting_on(page.object_list)
    rows = []
    for approval in page.object_list:
        stages: dict[str, list] = {}
        for task in waiting.get(approval.pk, []):
            stages.setdefault(task.step.name, []).append(task)
        rows.append({"request": approval, "label": document_label(approval.document_type),
                     "url": document_url(approval), "waiting": list(stages.items())})
    return render(request, "approvals/my_requests.html", {
        "page": page, "rows": rows, "status": status, "statuses": RequestStatus.choices,
        "querystring": querystring_without(request, "page")})


@page_view
def request_detail(request, request_id: int):
    approval = selectors.request_get(user=request.user, request_id=request_id)
    context = approval_block(approval, user=request.user)
    context["events"] = selectors.request_events(approval)
    return render(request, "approvals/request_detail.html", context)


# ── policies ────────────────────────────────────────────────────────────────────────────────────────────────


@page_view
def policy_list(request):
    rows = list(selectors.policy_list(user=request.user))
    for policy in rows:
        policy.document_label = document_label(policy.document_type)
    return render(request, "approvals/policy_list.html", {
        "policies": rows, "can_manage": has_capability(request.user, "approvals.manage_policies")})


@page_view
def policy_detail(request, code: str):
    policy = selectors.policy_get(user=request.user, code=code)
    stages = list(policy.stages.all())
    for stage in stages:
        stage.approver_label = lane_label(stage.rule, stage.role)
    return render(request, "approvals/policy_detail.html", {
        "policy": policy, "stages": stages, "flowchart": flowchart_svg(stages),
        "document_label": document_label(policy.document_type),
        "escalation": [(lane_label("role", a), lane_label("role", b)) for a, b in (policy.escalation or {}).items()],
        "can_manage": has_capability(request.user, "approvals.manage_policies")})


FIELD_LABELS = {"toml": gettext_lazy("Text"), "policy": gettext_lazy("Policy"), "stages": gettext_lazy("Stages")}


def _field_label(key: str) -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    try:
        return str(ApprovalPolicy._meta.get_field(key).verbose_name)
    except Exception:  # noqa: BLE001 — any other key is shown as it is
        return key


@page_view
def policy_edit(request, code: str):
    _require(request, "approvals.manage_policies")
    policy = selectors.policy_get(user=request.user, code=code)
    form = PolicyTextForm(request.POST or None, initial={"text": policies.policy_as_toml(policy)})
    errors: list[tuple[str, list[str]]] = []
    if request.method == "POST" and form.is_valid():
        try:
            data = policies.policy_from_toml(form.cleaned_data["text"])
            if str(data.get("code", "")).strip() != policy.code:
                raise AppError("approval_policy_code_changed", _("The code cannot be changed here."),
                               fields={"code": [_("Keep the code “{code}”.").format(code=policy.code)]})
            saved = policies.policy_save(by=request.user, data=data)
        except AppError as exc:
            form.add_error(None, str(exc.message))
            errors = [(_field_label(k), [str(m) for m in (v if isinstance(v, list | tuple) else [v])])
                      for k, v in exc.fields.items()]
        else:
            messages.success(request, _("Policy {name} saved (version {version}).").format(
                name=saved.name, version=saved.version))
            return redirect("approvals:policy_detail", code=saved.code)
    return render(request, "approvals/policy_edit.html", {"policy": policy, "form": form, "errors": errors})


@require_POST
@page_view
def policy_load(request):
    _require(request, "approvals.manage_policies")
    try:
        loaded = policies.policy_load_file(by=request.user)
    except AppError as exc:
        messages.error(request, f"{exc.message} {_message_of(exc)}")
    else:
        messages.success(request, ngettext("{n} policy loaded from the shipped file.",
                                           "{n} policies loaded from the shipped file.", len(loaded)).format(
            n=len(loaded)))
    return redirect("approvals:policy_list")


# ── delegations ─────────────────────────────────────────────────────────────────────────────────────────────


@page_view
def delegation_list(request):
    form = DelegationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.delegation_create(by=request.user, delegate=d["delegate"], starts_on=d["starts_on"],
                                       ends_on=d["ends_on"], note=d["note"])
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Delegation saved: {name} approves for you from {start} until {end}.").format(
                name=d["delegate"].display_name, start=d["starts_on"].isoformat(), end=d["ends_on"].isoformat()))
            return redirect("approvals:delegation_list")
    rows = list(selectors.delegations(user=request.user).order_by("-starts_on", "-id"))
    today = timezone.localdate()
    for row in rows:
        row.is_current = row.starts_on <= today <= row.ends_on
        row.can_end = row.user_id == request.user.pk and row.ends_on >= today
    return render(request, "approvals/delegation_list.html", {
        "form": form, "given": [r for r in rows if r.user_id == request.user.pk],
        "received": [r for r in rows if r.delegate_id == request.user.pk]})


@require_POST
@page_view
def delegation_end(request, delegation_id: int):
    services.delegation_end(by=request.user, delegation_id=delegation_id)
    messages.success(request, _("Delegation ended."))
    return redirect("approvals:delegation_list")
