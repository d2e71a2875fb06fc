from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("history/", views.history, name="history"),
    path("mine/", views.my_requests, name="my_requests"),
    path("requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("tasks/<int:task_id>/decide/", views.task_decide, name="task_decide"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/load/", views.policy_load, name="policy_load"),
    path("policies/<slug:code>/", views.policy_detail, name="policy_detail"),
    path("policies/<slug:code>/edit/", views.policy_edit, name="policy_edit"),
    path("delegations/", views.delegation_list, name="delegation_list"),
    path("delegations/<int:delegation_id>/end/", views.delegation_end, name="delegation_end"),
]
