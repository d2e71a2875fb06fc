"""The public pool's pages. Mounted under /leads/ (where they were before the pool became an app of its own), so
every address people bookmarked still works."""

from django.urls import path

from . import views

app_name = "pool"
urlpatterns = [
    # The customers' public pool (公海客户).
    path("customer-pool/", views.customer_pool, name="customer_pool"),
    path("customer-pool/<int:customer_id>/claim/", views.customer_pool_claim, name="customer_pool_claim"),
    path("customer-pool/<int:customer_id>/assign/", views.customer_pool_assign, name="customer_pool_assign"),
    path("customer-pool/release/<int:customer_id>/", views.customer_release, name="customer_release"),
    # The pool policies per unit: the first tab of the lead rules (scoring and territory rules are the leads').
    path("settings/", views.policy_list, name="config_policies"),
    path("settings/policies/default/", views.policy_edit, name="config_policy_default"),
    path("settings/policies/<int:unit_id>/", views.policy_edit, name="config_policy_edit"),
    path("settings/policies/<int:unit_id>/remove/", views.policy_remove, name="config_policy_remove"),
]
