"""URL patterns of a strategy's monitoring and evaluation; assembled in the strategy app's urls.py."""

from django.urls import URLPattern, path

from . import oversight_views as ov
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
    path("<int:pk>/evaluation/", ov.evaluation_page, name="evaluation"),
    path("<int:pk>/evaluation/new/", ov.evaluation_create, name="evaluation_create"),
    path(
        "<int:pk>/evaluation/<int:evaluation_pk>/recommendations/new/",
        ov.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "<int:pk>/evaluation/recommendations/<int:recommendation_pk>/response/",
        ov.recommendation_response,
        name="recommendation_response",
    ),
    path(
        "<int:pk>/evaluation/recommendations/<int:recommendation_pk>/gap/",
        ov.recommendation_to_gap,
        name="recommendation_to_gap",
    ),
    path(
        "<int:pk>/evaluation/recommendations/<int:recommendation_pk>/action/",
        ov.recommendation_to_action,
        name="recommendation_to_action",
    ),
    path("<int:pk>/evaluation/risks/new/", ov.risk_create, name="risk_create"),
    path("<int:pk>/evaluation/risks/<int:risk_pk>/status/", ov.risk_status, name="risk_status"),
    path("<int:pk>/evaluation/owners/", ov.axis_owner, name="axis_owner"),
]
