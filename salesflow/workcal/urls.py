from django.urls import path

from . import views

app_name = "workcal"
urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("<int:year>/", views.year_detail, name="year_detail"),
    path("<int:year>/load/", views.year_load, name="year_load"),
    path("<int:year>/start/", views.year_start, name="year_start"),
    path("<int:year>/days/<str:day>/clear/", views.day_clear, name="day_clear"),
]
