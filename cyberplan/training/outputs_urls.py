"""The pages of the capacity-building outputs: the report, and coverage into the assessment and the gap register."""

from django.urls import path

from . import spine_views
from .report import views as report_views

urlpatterns = [
    path("report/", report_views.report_request, name="report"),
    path("evidence-and-gaps/", spine_views.spine_page, name="spine"),
    path("evidence-and-gaps/evidence/", spine_views.attach_evidence, name="attach_evidence"),
    path("evidence-and-gaps/gaps/", spine_views.raise_gaps, name="raise_gaps"),
]
