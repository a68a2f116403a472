from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path


class AssessmentConfig(AppConfig):
    name = "cyberplan.assessment"
    label = "assessment"
    verbose_name = _("Capacity assessment")

    def ready(self) -> None:
        from .loading import load_shipped_framework_after_migrate  # reads the models: loaded only by now

        # By dotted path: the report's content and renderers load only where a report is made.
        register_path("assessment", "cyberplan.assessment.report.command.KIND")  # cyberplan report assessment
        declare(
            "assessment_report",
            _("Capacity assessment report"),
            "cyberplan.assessment.report_jobs.run_assessment_report_job",
            describe="cyberplan.assessment.report_jobs.describe",
        )

        post_migrate.connect(load_shipped_framework_after_migrate, sender=self)
