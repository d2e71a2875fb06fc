from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("request/", views.request_create, name="request_create"),
    path("<int:request_id>/", views.request_detail, name="request_detail"),
    path("<int:request_id>/download/", views.request_download, name="request_download"),
]
