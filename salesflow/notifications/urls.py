from django.urls import path

from . import views

# Mounted at /approvals/notifications/ (salesflow/urls.py), where the pages lived before the app was split
# out, so bookmarks keep working.
app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read/", views.notification_read, name="notification_read"),
    path("menu/", views.notification_menu, name="notification_menu"),
    path("<int:notification_id>/", views.notification_open, name="notification_open"),
]
