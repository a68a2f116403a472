from django.urls import path

from . import views

app_name = "misp_feed"

# Ids are taken as text and checked by the views, so a malformed one is answered like an unknown one: a 404
# in the feed's JSON, not the site's HTML page.
urlpatterns = [
    path("<str:collection_id>/manifest.json", views.manifest, name="manifest"),
    path("<str:collection_id>/hashes.csv", views.hashes, name="hashes"),
    path("<str:collection_id>/<str:event_id>.json", views.event, name="event"),
]
