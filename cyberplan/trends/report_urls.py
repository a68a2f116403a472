from django.urls import path

from . import report_views

app_name = "trends_report"
urlpatterns = [
    path("", report_views.report_request, name="request"),
]
