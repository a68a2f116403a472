from django.urls import path

from . import views

app_name = "misp_feed"

urlpatterns = [
    path("<uuid:collection_id>/manifest.json", views.manifest, name="manifest"),
    path("<uuid:collection_id>/hashes.csv", views.hashes, name="hashes"),
    path("<uuid:collection_id>/<uuid:event_id>.json", views.event, name="event"),
]
