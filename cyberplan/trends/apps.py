from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path
from cyberplan.threats.signals import import_stored


def on_import_stored(sender: Any, **kwargs: Any) -> None:
    """Hand a stored import to the trend tables, whose code (DuckDB, the metric set) loads on first use."""
    from .signals import on_import_stored as refresh  # hidden: keeps DuckDB out of every process's start-up

    refresh(sender, **kwargs)


class TrendsConfig(AppConfig):
    name = "cyberplan.trends"
    verbose_name = _("Threat trends")

    def ready(self) -> None:
        import_stored.connect(on_import_stored, dispatch_uid="trends.on_import_stored")
        # By dotted path: the report's statistics and renderers load only where a report is made.
        register_path("trends", "cyberplan.trends.report.command.KIND")  # cyberplan report trends
        declare("trends_refresh", _("Trend tables refresh"), "cyberplan.trends.jobs.run_refresh_job")
        declare(
            "trends_report",
            _("Threat trends report"),
            "cyberplan.trends.report.jobs.run_report_job",
            describe="cyberplan.trends.report.jobs.describe",
        )
