from django.urls import path

from . import views

app_name = "regional"
urlpatterns = [
    path("packages/", views.package_list, name="package_list"),
    path("packages/<int:pk>/", views.package_detail, name="package_detail"),
    path("packages/<int:pk>/approve/", views.package_approve, name="package_approve"),
    path("packages/<int:pk>/download/", views.package_download, name="package_download"),
]
