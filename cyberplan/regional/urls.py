from django.urls import path

from . import programme_views, views
from .report import views as report_views

app_name = "regional"
urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/<int:pk>/", views.package_detail, name="package_detail"),
    path("packages/<int:pk>/approve/", views.package_approve, name="package_approve"),
    path("packages/<int:pk>/download/", views.package_download, name="package_download"),
    path("packages/<int:pk>/send/", views.package_send, name="package_send"),
    path("programme/", programme_views.programme_overview, name="programme_overview"),
    path("programme/pooled/compute/", programme_views.pooled_compute, name="pooled_compute"),
    path("programme/members/", programme_views.member_list, name="member_list"),
    path("programme/members/<int:pk>/", programme_views.member_history, name="member_history"),
    path("programme/members/<int:pk>/edit/", programme_views.member_edit, name="member_edit"),
    path("programme/report/", report_views.report_request, name="report"),
    path("programme/received/", programme_views.received_list, name="received_list"),
    path(
        "programme/refusals/<int:pk>/confirm-identity/",
        programme_views.refusal_confirm_identity,
        name="refusal_confirm_identity",
    ),
]
