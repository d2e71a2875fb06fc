from django.urls import path

from . import opportunity_views
from .discounts import views

app_name = "deals"
urlpatterns = [
    path("discounts/", views.discount_list, name="discount_list"),
    path("discounts/new/", views.discount_create, name="discount_create"),
    path("discounts/<int:discount_id>/", views.discount_detail, name="discount_detail"),
    path("discounts/<int:discount_id>/edit/", views.discount_edit, name="discount_edit"),
    path("discounts/<int:discount_id>/submit/", views.discount_submit, name="discount_submit"),
    path("discounts/<int:discount_id>/withdraw/", views.discount_withdraw, name="discount_withdraw"),
    path("opportunities/", opportunity_views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", opportunity_views.opportunity_create, name="opportunity_create"),
    path("opportunities/board/", opportunity_views.opportunity_kanban, name="opportunity_kanban"),
    path("opportunities/board/move/", opportunity_views.opportunity_move, name="opportunity_move"),
    path("opportunities/funnel/", opportunity_views.funnel_page, name="funnel"),
    path("opportunities/lists/", opportunity_views.master_data, name="master_data"),
    path("opportunities/<int:opportunity_id>/", opportunity_views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:opportunity_id>/edit/", opportunity_views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/checklist/", opportunity_views.opportunity_checklist,
         name="opportunity_checklist"),
    path("opportunities/<int:opportunity_id>/action/", opportunity_views.opportunity_action,
         name="opportunity_action"),
]
