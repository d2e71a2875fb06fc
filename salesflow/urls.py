from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from salesflow.api import api
from salesflow.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("login/", site_views.SalesflowLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", site_views.set_language, name="set_language"),
    path("account/tokens/", site_views.token_list, name="token_list"),
    path("account/tokens/<int:token_id>/revoke/", site_views.token_revoke, name="token_revoke"),
    path("customers/", include("salesflow.crm.urls")),
    path("org/", include("salesflow.org.urls")),
    # The notification pages keep the paths they had when they were part of the approvals app.
    path("approvals/notifications/", include("salesflow.notifications.urls")),
    path("approvals/", include("salesflow.approvals.urls")),
    path("deals/", include("salesflow.deals.urls")),
    path("leads/", include("salesflow.leads.urls")),
    # The public pool's pages keep the paths they had when they were part of the leads app.
    path("leads/", include("salesflow.pool.urls")),
    path("visits/", include("salesflow.visits.urls")),
    path("reception/", include("salesflow.reception.urls")),
    path("audit/", include("salesflow.audit.urls")),
    path("exports/", include("salesflow.exports.urls")),
    path("calendar/", include("salesflow.workcal.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler404 = "salesflow.site.views.not_found"
handler403 = "salesflow.site.views.forbidden"
