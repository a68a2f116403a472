from django.urls import path

from . import outputs_urls, views

app_name = "training"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("providers/", views.provider_list, name="provider_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/delete/", views.programme_delete, name="programme_delete"),
    path("programmes/<int:pk>/courses/new/", views.course_create, name="course_create"),
    path("programmes/<int:pk>/import/", views.programme_import, name="programme_import"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:pk>/delete/", views.course_delete, name="course_delete"),
    path("courses/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/new/", views.participant_create, name="participant_create"),
    path("participants/export/", views.participant_export, name="participant_export"),
    path("participants/export/names/", views.participant_export_named, name="participant_export_named"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/edit/", views.participant_edit, name="participant_edit"),
    path("participants/<int:pk>/delete/", views.participant_delete, name="participant_delete"),
    path("participants/<int:pk>/erase-names/", views.participant_erase_names, name="participant_erase_names"),
    path("imports/template.csv", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/rejected.csv", views.import_rejects, name="import_rejects"),
    path("audience-sizes/", views.denominator_list, name="denominator_list"),
    path("audience-sizes/<int:pk>/delete/", views.denominator_delete, name="denominator_delete"),
    path("coverage/", views.coverage, name="coverage"),
    path("retention/", views.retention, name="retention"),
]
urlpatterns += outputs_urls.urlpatterns  # the report, assessment evidence and gaps
