from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("new/", views.assessment_create, name="assessment_create"),
    path("import/", views.import_view, name="assessment_import"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("<int:pk>/lock/", views.lock, name="assessment_lock"),
    path("<int:pk>/unlock/", views.unlock, name="assessment_unlock"),
    path("<int:pk>/gaps/", views.sync_gaps, name="assessment_sync_gaps"),
    path("<int:pk>/export/", views.export, name="assessment_export"),
    path("<int:pk>/report/", views.request_report, name="assessment_report"),
    path("<int:pk>/compare/", views.compare, name="assessment_compare"),
    path("<int:pk>/benchmark/", views.benchmark, name="assessment_benchmark"),
    path("<int:pk>/crosswalk/", views.crosswalk, name="assessment_crosswalk"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/factors/<str:factor_id>/", views.factor_detail, name="factor_detail"),
    path("<int:pk>/factors/<str:factor_id>/answers/<int:answer_pk>/", views.answer_indicator, name="answer"),
    path("<int:pk>/factors/<str:factor_id>/evidence/", views.add_evidence, name="add_evidence"),
    path("<int:pk>/factors/<str:factor_id>/comments/", views.add_comment, name="add_comment"),
    path("<int:pk>/factors/<str:factor_id>/assign/", views.assign_factor, name="assign_factor"),
    path("<int:pk>/factors/<str:factor_id>/target/", views.set_target, name="set_target"),
    path("<int:pk>/factors/<str:factor_id>/approve/", views.approve_factor, name="approve_factor"),
]
