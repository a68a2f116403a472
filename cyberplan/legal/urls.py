from django.urls import path

from . import views
from .report import views as report_views

app_name = "legal"
urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("treaties/", views.catalogue, name="catalogue"),
    path("status/", views.treaty_status, name="treaty_status"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/import/", views.instrument_import, name="instrument_import"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/state/", views.review_state, name="review_state"),
    path("reviews/<int:pk>/gaps/", views.review_gaps, name="review_gaps"),
    path("reviews/<int:pk>/evidence/", views.review_evidence, name="review_evidence"),
    path("reviews/<int:pk>/report/", report_views.review_report, name="review_report"),
    path("reviews/<int:pk>/compare/", views.review_compare, name="review_compare"),
    path("reviews/<int:pk>/provisions/<str:provision>/", views.finding_edit, name="finding_edit"),
]
