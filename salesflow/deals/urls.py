from django.urls import path

from . import views

app_name = "deals"
urlpatterns = [
    path("discounts/", views.discount_list, name="discount_list"),
    path("discounts/new/", views.discount_create, name="discount_create"),
    path("discounts/<int:discount_id>/", views.discount_detail, name="discount_detail"),
    path("discounts/<int:discount_id>/edit/", views.discount_edit, name="discount_edit"),
    path("discounts/<int:discount_id>/submit/", views.discount_submit, name="discount_submit"),
    path("discounts/<int:discount_id>/withdraw/", views.discount_withdraw, name="discount_withdraw"),
]
