from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path
from cyberplan.threats.signals import import_stored, store_granted


def on_import_stored(sender: Any, **kwargs: Any) -> None:
    """Hand a stored import to the trend tables, whose code (DuckDB, the metric set) loads on first use."""
    from .signals import on_import_stored as refresh  # hidden: keeps DuckDB out of every process's start-up

    refresh(sender, **kwargs)


def on_store_granted(sender: Any, **kwargs: Any) -> None:
    """Warm the granted store's pages for its new readers, in the worker."""
    from .signals import warm_later  # hidden, as above

    warm_later(kwargs["grant"].owner)


class TrendsConfig(AppConfig):
    name = "cyberplan.trends"
    verbose_name = _("Threat trends")

    def ready(self) -> None:
        import_stored.connect(on_import_stored, dispatch_uid="trends.on_import_stored")
        store_granted.connect(on_store_granted, dispatch_uid="trends.on_store_granted")
        # By dotted path: the report's statistics and renderers load only where a report is made.
        register_path("trends", "cyberplan.trends.report.command.KIND")  # cyberplan report trends
        declare("trends_refresh", _("Trend tables refresh"), "cyberplan.trends.jobs.run_refresh_job")
        declare(
            "trends_report",
            _("Threat trends report"),
            "cyberplan.trends.report.jobs.run_report_job",
            describe="cyberplan.trends.report.jobs.describe",
        )
