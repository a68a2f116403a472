from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path


class TrainingConfig(AppConfig):
    name = "cyberplan.training"
    label = "training"
    verbose_name = _("Capacity building")

    def ready(self) -> None:
        # By dotted path: the report's content and renderers load only where a report is made.
        register_path("training", "cyberplan.training.report.command.KIND")  # cyberplan report training
        declare(
            "training_report",
            _("Capacity-building report"),
            "cyberplan.training.report.jobs.run_training_report_job",
            describe="cyberplan.training.report.jobs.describe",
        )
        declare(
            "training_erase_names",
            _("Erase participants' names past the retention period"),
            "cyberplan.training.jobs.run_erase_names_job",
            describe="cyberplan.training.jobs.describe",
            time_limit_minutes=10,
        )
