"""URL of the structure import page (urls_import); assembled in urls.py under the ``strategy`` namespace."""

from django.urls import URLPattern, path

from . import views_import

urlpatterns: list[URLPattern] = [
    path("<int:pk>/import/", views_import.structure_import, name="structure_import"),
]
