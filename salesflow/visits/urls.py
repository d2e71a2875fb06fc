from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/items/", views.plan_item_add, name="plan_item_add"),
    path("plans/<int:plan_id>/items/<int:item_id>/move/", views.plan_item_move, name="plan_item_move"),
    path("plans/<int:plan_id>/items/<int:item_id>/remove/", views.plan_item_remove, name="plan_item_remove"),
    path("plans/<int:plan_id>/submit/", views.plan_submit, name="plan_submit"),
    path("plans/<int:plan_id>/review/", views.plan_review, name="plan_review"),
    path("team/", views.team, name="team"),
    path("weekly/", views.weekly, name="weekly"),
    path("logs/", views.log_list, name="log_list"),
    path("logs/new/", views.log_create, name="log_create"),
    path("logs/opportunities/", views.log_opportunities, name="log_opportunities"),
    path("logs/sheet/", views.log_sheet, name="log_sheet"),
    path("logs/<int:log_id>/", views.log_detail, name="log_detail"),
    path("worklogs/", views.work_log_list, name="work_log_list"),
    path("worklogs/write/", views.work_log_write, name="work_log_write"),
    path("worklogs/<int:log_id>/", views.work_log_detail, name="work_log_detail"),
    path("worklogs/<int:log_id>/submit/", views.work_log_submit, name="work_log_submit"),
    path("worklogs/<int:log_id>/review/", views.work_log_review, name="work_log_review"),
]
