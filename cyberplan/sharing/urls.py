from django.urls import path

from . import push_views, views
from .misp.exports import export_view as misp_export

app_name = "sharing"
urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/members/", views.member_set, name="member_set"),
    path("groups/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("groups/<int:pk>/collections/new/", views.collection_create, name="collection_create"),
    path("collections/<uuid:pk>/", views.collection_detail, name="collection_detail"),
    path("collections/<uuid:pk>/publish/", views.collection_publish, name="collection_publish"),
    path("collections/<uuid:pk>/misp-export/", misp_export, name="collection_misp_export"),
    path("credentials/", views.credential_list, name="credential_list"),
    path("credentials/new/", views.credential_issue, name="credential_issue"),
    path("credentials/<uuid:pk>/secret/", views.credential_secret, name="credential_secret"),
    path("credentials/<uuid:pk>/rotate/", views.credential_rotate, name="credential_rotate"),
    path("credentials/<uuid:pk>/revoke/", views.credential_revoke, name="credential_revoke"),
    path("subscriptions/", views.subscription_list, name="subscription_list"),
    path("subscriptions/new/", views.subscription_create, name="subscription_create"),
    path("subscriptions/<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("subscriptions/<int:pk>/edit/", views.subscription_edit, name="subscription_edit"),
    path("subscriptions/<int:pk>/remove/", views.subscription_delete, name="subscription_delete"),
    path("subscriptions/<int:pk>/pull/", views.subscription_pull, name="subscription_pull"),
    path("pushes/", push_views.push_list, name="push_list"),
    path("pushes/new/", push_views.push_create, name="push_create"),
    path("pushes/<int:pk>/", push_views.push_detail, name="push_detail"),
    path("pushes/<int:pk>/edit/", push_views.push_edit, name="push_edit"),
    path("pushes/<int:pk>/remove/", push_views.push_delete, name="push_delete"),
    path("pushes/<int:pk>/push/", push_views.push_now, name="push_now"),
]
