"""URL of the structure import page; assembled in the strategy app's urls.py under the ``strategy`` namespace."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/import/", views.structure_import, name="structure_import"),
]
