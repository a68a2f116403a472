from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare


class TrainingConfig(AppConfig):
    name = "cyberplan.training"
    label = "training"
    verbose_name = _("Capacity building")

    def ready(self) -> None:
        declare(
            "training_erase_names",
            _("Erase participants' names past the retention period"),
            "cyberplan.training.jobs.run_erase_names_job",
            describe="cyberplan.training.jobs.describe",
            time_limit_minutes=10,
        )
