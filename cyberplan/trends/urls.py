from django.urls import path

from .views import dashboard, gaps

app_name = "trends"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("gaps/", gaps.gap_from_change, name="gap_from_change"),
]
