from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path


class StrategyConfig(AppConfig):
    name = "cyberplan.strategy"
    label = "strategy"
    verbose_name = _("Strategy and monitoring")

    def ready(self) -> None:
        # By dotted path: the documents' content and renderers load only where a document is made.
        register_path("strategy", "cyberplan.strategy.report.command.KINDS")  # cyberplan report strategy
        register_path("monitoring", "cyberplan.strategy.report.command.KINDS")  # cyberplan report monitoring
        declare(
            "strategy_report",
            _("Strategy document"),
            "cyberplan.strategy.report.jobs.run_strategy_report_job",
            describe="cyberplan.strategy.report.jobs.describe",
        )
