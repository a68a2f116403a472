"""URL of the starting template page; assembled in urls.py."""

from django.urls import path

from . import views_starter

urlpatterns = [path("<int:pk>/starter/", views_starter.starter, name="strategy_starter")]
