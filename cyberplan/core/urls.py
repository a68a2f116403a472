"""Core's pages: organisations, memberships, the account, the audit log. The root URL configuration
includes them together with the workspace's pages (the overview, the audit export) under ``core``."""

from django.urls import path

from . import token_views, views

app_name = "core"
urlpatterns = [
    path("sections/<slug:slug>/", views.section, name="section"),
    path("account/", views.account, name="account"),
    path("account/tokens/", token_views.api_token_create, name="api_token_create"),
    path("account/tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    path("language/", views.set_language, name="set_language"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("memberships/<int:pk>/", views.membership_update, name="membership_update"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
]
