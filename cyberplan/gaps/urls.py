from django.urls import path

from . import views

app_name = "gaps"
urlpatterns = [
    path("", views.gap_list, name="gap_list"),
    path("new/", views.gap_create, name="gap_create"),
    path("<int:pk>/", views.gap_detail, name="gap_detail"),
    path("<int:pk>/edit/", views.gap_edit, name="gap_edit"),
    path("<int:pk>/status/", views.gap_status, name="gap_status"),
    path("<int:pk>/delete/", views.gap_delete, name="gap_delete"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
]
