from django.urls import path

from . import grant_views, views

app_name = "threats"
urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("imports/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:pk>/quarantine.csv", views.quarantine_download, name="quarantine_download"),
    path("events/", views.event_list, name="event_list"),
    path("constituency/", views.constituency, name="constituency"),
    path("constituency/<int:pk>/delete/", views.constituency_delete, name="constituency_delete"),
    path("mappings/", views.mapping_list, name="mapping_list"),
    path("mappings/new/", views.mapping_create, name="mapping_create"),
    path("stores/", grant_views.store_access, name="store_access"),
    path("stores/<int:pk>/revoke/", grant_views.store_grant_revoke, name="store_grant_revoke"),
]
