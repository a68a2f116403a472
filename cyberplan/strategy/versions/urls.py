"""URL patterns of a strategy's versions, consultation and approval; assembled in the strategy app's urls.py."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/versions/", views.version_list, name="version_list"),
    path("<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("<int:pk>/versions/compare/", views.version_compare, name="version_compare"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:pk>/versions/<int:number>/refresh/", views.version_refresh, name="version_refresh"),
    path("<int:pk>/versions/<int:number>/move/<str:to>/", views.version_move, name="version_move"),
    path("<int:pk>/versions/<int:number>/comments/", views.version_comments, name="version_comments"),
    path(
        "<int:pk>/versions/<int:number>/comments/<int:comment_pk>/resolve/",
        views.comment_resolve,
        name="comment_resolve",
    ),
]
