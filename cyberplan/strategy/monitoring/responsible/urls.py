"""URL patterns of the actions a lead or supporting institution is responsible for; assembled in urls.py."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("my-actions/", views.my_actions, name="my_actions"),
    path("my-actions/<int:action_pk>/", views.my_action, name="my_action"),
]
