from django.urls import path

from . import views

app_name = "trends"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("gaps/", views.gap_from_change, name="gap_from_change"),
]
