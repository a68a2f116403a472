"""URLs of the starting template page and of the monitoring entry point; assembled in urls.py."""

from django.urls import path

from . import views_starter

urlpatterns = [
    path("<int:pk>/starter/", views_starter.starter, name="strategy_starter"),
    path("monitoring/", views_starter.monitoring_home, name="monitoring_home"),
]
