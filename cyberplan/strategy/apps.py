from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "cyberplan.strategy"
    label = "strategy"
    verbose_name = _("Strategy and monitoring")

    def ready(self) -> None:
        from cyberplan.reports.registry import register

        from . import report_jobs  # noqa: F401 -- registers the strategy documents' job kind
        from .report import command as report_command

        for kind in report_command.KINDS:  # cyberplan report strategy, cyberplan report monitoring
            register(kind)
