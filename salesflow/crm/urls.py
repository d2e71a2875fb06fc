from django.urls import path

from . import views

app_name = "crm"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("groups/", views.group_list, name="group_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("validate/", views.customer_validate_field, name="customer_validate_field"),
    path("export/", views.customer_export, name="customer_export"),
    path("import/", views.import_start, name="import_start"),
    path("import/<int:job_id>/", views.import_detail, name="import_detail"),
    path("import/<int:job_id>/cancel/", views.import_cancel, name="import_cancel"),
    path("<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:customer_id>/sheet/", views.customer_sheet_edit, name="customer_sheet_edit"),
    path("<int:customer_id>/reassign/", views.customer_reassign, name="customer_reassign"),
    path("<int:customer_id>/status/", views.customer_status, name="customer_status"),
    path("<int:customer_id>/reveal/", views.customer_reveal, name="customer_reveal"),
    path("<int:customer_id>/contacts/", views.contact_add, name="contact_add"),
    path("<int:customer_id>/contacts/<int:contact_id>/remove/", views.contact_remove, name="contact_remove"),
]
