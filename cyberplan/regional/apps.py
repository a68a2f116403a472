from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare


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
