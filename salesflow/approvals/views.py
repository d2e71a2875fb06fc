"""Pages: being written (see the approvals issue)."""
from django.http import HttpResponse


def delegation_end(request, **kwargs):
    return HttpResponse(status=501)


def delegation_list(request, **kwargs):
    return HttpResponse(status=501)


def history(request, **kwargs):
    return HttpResponse(status=501)


def inbox(request, **kwargs):
    return HttpResponse(status=501)


def my_requests(request, **kwargs):
    return HttpResponse(status=501)


def notification_list(request, **kwargs):
    return HttpResponse(status=501)


def notification_read(request, **kwargs):
    return HttpResponse(status=501)


def policy_detail(request, **kwargs):
    return HttpResponse(status=501)


def policy_edit(request, **kwargs):
    return HttpResponse(status=501)


def policy_list(request, **kwargs):
    return HttpResponse(status=501)


def policy_load(request, **kwargs):
    return HttpResponse(status=501)


def request_detail(request, **kwargs):
    return HttpResponse(status=501)


def task_decide(request, **kwargs):
    return HttpResponse(status=501)
