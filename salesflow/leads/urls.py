from django.urls import path

from . import config_views, import_views, views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("pool/", views.lead_pool, name="lead_pool"),
    path("new/", views.lead_create, name="lead_create"),
    path("<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("<int:lead_id>/claim/", views.lead_claim, name="lead_claim"),
    path("<int:lead_id>/release/", views.lead_release, name="lead_release"),
    path("<int:lead_id>/contacted/", views.lead_contacted, name="lead_contacted"),
    path("<int:lead_id>/screen/", views.lead_screen, name="lead_screen"),
    path("<int:lead_id>/assign/", views.lead_assign, name="lead_assign"),
    path("<int:lead_id>/convert/", views.lead_convert, name="lead_convert"),
    # The customers' public pool (/leads/customer-pool/…) and the pool policies (/leads/settings/, the first tab of
    # the lead rules) are the pool app's pages, mounted under /leads/ too (salesflow/pool/urls.py).
    # The lead rules: scoring, territory rules.
    path("settings/scoring/", config_views.scoring, name="config_scoring"),
    path("settings/territory/", config_views.rule_list, name="config_rules"),
    path("settings/territory/new/", config_views.rule_edit, name="config_rule_create"),
    path("settings/territory/<int:rule_id>/", config_views.rule_edit, name="config_rule_edit"),
    path("settings/territory/<int:rule_id>/active/", config_views.rule_active, name="config_rule_active"),
    path("settings/territory/<int:rule_id>/move/", config_views.rule_move, name="config_rule_move"),
    # Import from Excel/CSV (the history of the user's imports is on the upload page).
    path("import/", import_views.import_start, name="import_start"),
    path("import/<int:job_id>/", import_views.import_detail, name="import_detail"),
    path("import/<int:job_id>/cancel/", import_views.import_cancel, name="import_cancel"),
]
