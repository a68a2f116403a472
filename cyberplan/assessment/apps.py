from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from cyberplan.reports.registry import register


class AssessmentConfig(AppConfig):
    name = "cyberplan.assessment"
    label = "assessment"
    verbose_name = _("Capacity assessment")

    def ready(self) -> None:
        from . import report_jobs  # noqa: F401 -- registers the report's job kind
        from .loading import load_shipped_framework_after_migrate  # reads the models: loaded only by now
        from .report import command as report_command  # the report's content reads the models: loaded only by now

        register(report_command.KIND)  # cyberplan report assessment

        post_migrate.connect(load_shipped_framework_after_migrate, sender=self)
