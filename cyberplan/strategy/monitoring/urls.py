"""URL patterns of a strategy's monitoring and evaluation; assembled in the strategy app's urls.py."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("monitoring/", views.monitoring_home, name="monitoring_home"),
    path("<int:pk>/monitoring/", views.overview, name="monitoring"),
    path("<int:pk>/monitoring/actions/<int:action_pk>/", views.action_progress, name="monitoring_action"),
    path(
        "<int:pk>/monitoring/actions/<int:action_pk>/updates/<int:update_pk>/evidence/",
        views.progress_evidence,
        name="progress_evidence",
    ),
    path("<int:pk>/monitoring/kpis/<int:kpi_pk>/", views.kpi_detail, name="monitoring_kpi"),
    path("<int:pk>/monitoring/kpis/<int:kpi_pk>/compute/", views.kpi_compute, name="kpi_compute"),
]
