from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare

from .choices import THREAT_IMPORT


class ThreatsConfig(AppConfig):
    name = "cyberplan.threats"
    label = "threats"
    verbose_name = _("Threat evidence")

    def ready(self) -> None:
        # By dotted path: the import pipeline loads only in the worker that runs an import.
        declare(
            THREAT_IMPORT,
            _("Threat evidence import"),
            "cyberplan.threats.jobs.run_import_job",
            time_limit_minutes=60.0,
            on_stop="cyberplan.threats.jobs.stop_import",
            private_parameters=("path",),  # where the upload waits on the server
            describe="cyberplan.threats.jobs.describe",
        )
