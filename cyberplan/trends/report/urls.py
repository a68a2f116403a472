from django.urls import path

from . import views

app_name = "trends_report"
urlpatterns = [
    path("", views.report_request, name="request"),
]
