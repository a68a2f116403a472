from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrendsConfig(AppConfig):
    name = "cyberplan.trends"
    verbose_name = _("Threat trends")

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may use the models only once all are loaded.
        from cyberplan.reports.registry import register
        from cyberplan.threats.signals import import_stored

        from . import jobs  # noqa: F401 -- registers the trends job kinds
        from .report import command as report_command
        from .signals import on_import_stored

        import_stored.connect(on_import_stored, dispatch_uid="trends.on_import_stored")
        register(report_command.KIND)
