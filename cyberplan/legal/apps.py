from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path


class LegalConfig(AppConfig):
    name = "cyberplan.legal"
    label = "legal"
    verbose_name = _("Legal alignment")

    def ready(self) -> None:
        # By dotted path: the report's content and renderers load only where a report is made.
        register_path("legal", "cyberplan.legal.report.command.KIND")  # cyberplan report legal
        declare(
            "legal_report",
            _("Legal alignment report"),
            "cyberplan.legal.report.jobs.run_legal_report_job",
            describe="cyberplan.legal.report.jobs.describe",
        )
