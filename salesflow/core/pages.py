"""Helpers shared by the server-rendered pages."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import AppError, NotFound, PermissionRefused

PAGE_SIZE = 25


def page_view(view):
    """Signed-in only; a service's NotFound is a 404 page and its PermissionRefused a 403 page."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from None
        except PermissionRefused as exc:
            raise PermissionDenied(str(exc.message)) from None

    return wrapper


COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (SELECT COUNT(*) over a LIMITed subquery): a list of 100,000 customers
    answers as fast as one of 10,000, and the page says "10,000+"."""

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            rows = self.object_list
            if hasattr(rows, "order_by"):
                rows = rows.order_by()  # counting needs no sort: without it the database stops at the cap
            self._capped_count = rows[:COUNT_CAP + 1].count()
        return self._capped_count

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    paginator = CappedPaginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def form_errors(form, exc: AppError) -> None:
    """Put a service's field errors on the matching form fields (the rest at the top of the form)."""
    for field, messages in exc.fields.items():
        messages = messages if isinstance(messages, list | tuple) else [messages]
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def safe_next(request, fallback: str) -> str:
    """The ``next`` a form posted (or the query string carried) when it stays on this site, else ``fallback``:
    every redirect that follows ``next`` goes through here, so ``next=https://elsewhere`` is never followed."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def querystring_without(request, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()
