from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path


class RegionalConfig(AppConfig):
    name = "cyberplan.regional"
    label = "regional"
    verbose_name = _("Regional programme")

    def ready(self) -> None:
        declare(
            "regional_package",
            _("Build a statistics package"),
            "cyberplan.regional.jobs.run_build_job",
            describe="cyberplan.regional.jobs.describe",
        )
        # By dotted path: the report's content and renderers load only where a report is made.
        register_path("regional", "cyberplan.regional.report.command.KIND")  # cyberplan report regional
        declare(
            "regional_report",
            _("Regional report"),
            "cyberplan.regional.report.jobs.run_regional_report_job",
            describe="cyberplan.regional.report.jobs.describe",
        )
