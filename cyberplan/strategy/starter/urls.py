"""URL of the starting template page; assembled in the strategy app's urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/starter/", views.starter, name="strategy_starter"),
]
