from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.reports.registry import register


class StrategyConfig(AppConfig):
    name = "cyberplan.strategy"
    label = "strategy"
    verbose_name = _("Strategy and monitoring")

    def ready(self) -> None:
        from .report import command as report_command  # the report's content reads the models: loaded only by now
        from .report import jobs  # noqa: F401 -- registers the strategy documents' job kind

        for kind in report_command.KINDS:  # cyberplan report strategy, cyberplan report monitoring
            register(kind)
