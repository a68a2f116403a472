"""The workspace's pages. They are included together with core's pages under the ``core`` namespace
(see ``cyberplan/urls.py``), so ``core:home`` and ``core:audit_export`` keep their names."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
