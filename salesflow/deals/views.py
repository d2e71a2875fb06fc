"""Pages: being written (see the approvals issue)."""
from django.http import HttpResponse


def discount_create(request, **kwargs):
    return HttpResponse(status=501)


def discount_detail(request, **kwargs):
    return HttpResponse(status=501)


def discount_edit(request, **kwargs):
    return HttpResponse(status=501)


def discount_list(request, **kwargs):
    return HttpResponse(status=501)


def discount_submit(request, **kwargs):
    return HttpResponse(status=501)


def discount_withdraw(request, **kwargs):
    return HttpResponse(status=501)
