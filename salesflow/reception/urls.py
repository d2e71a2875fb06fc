from django.urls import path

from . import views

app_name = "reception"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("new/", views.record_create, name="record_create"),
    path("<int:record_id>/", views.record_detail, name="record_detail"),
    path("<int:record_id>/edit/", views.record_edit, name="record_edit"),
    path("<int:record_id>/print/", views.record_print, name="record_print"),
    path("print/", views.record_list_print, name="record_list_print"),
    path("export/", views.record_export, name="record_export"),
    path("prospects/", views.prospect_list, name="prospect_list"),
    path("prospects/new/", views.prospect_register, name="prospect_register"),
    path("prospects/<int:prospect_id>/", views.prospect_detail, name="prospect_detail"),
    path("prospects/<int:prospect_id>/confirm/", views.prospect_confirm, name="prospect_confirm"),
    path("prospects/<int:prospect_id>/submit-file/", views.prospect_submit_file, name="prospect_submit_file"),
    path("prospects/<int:prospect_id>/register-file/", views.prospect_register_file, name="prospect_register_file"),
    path("prospects/marketing-leads/", views.marketing_lead_list, name="marketing_lead_list"),
    path("prospects/marketing-leads/<int:office_id>/", views.marketing_lead_set, name="marketing_lead_set"),
    path("prospects/<int:prospect_id>/hand-over/", views.prospect_hand_over, name="prospect_hand_over"),
    path("prospects/<int:prospect_id>/drop/", views.prospect_drop, name="prospect_drop"),
]
