"""The notification page and the navbar bell. Thin: reads through selectors, marking read through a service."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from salesflow.core.pages import page_view, paginate, querystring_without, safe_next

from . import selectors, services


@page_view
def notification_list(request):
    unread = request.GET.get("unread") == "1"
    page = paginate(request, selectors.notifications(user=request.user, unread_only=unread))
    return render(request, "notifications/notification_list.html", {
        "page": page, "unread": unread, "querystring": querystring_without(request, "page")})


@page_view
def notification_menu(request):
    """The bell's dropdown, fetched when it opens (so ordinary pages pay only for the counts)."""
    return render(request, "notifications/_notification_menu.html", {
        "latest": selectors.notifications(user=request.user)[:8]})


@require_POST
@page_view
def notification_read(request):
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()] or None
    services.notifications_mark_read(by=request.user, ids=ids)
    return redirect(safe_next(request, reverse("notifications:notification_list")))


@page_view
def notification_open(request, notification_id: int):
    notification = selectors.notifications(user=request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        services.notifications_mark_read(by=request.user, ids=[notification.pk])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:notification_list")
