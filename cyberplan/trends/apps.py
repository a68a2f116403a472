from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrendsConfig(AppConfig):
    name = "cyberplan.trends"
    verbose_name = _("Threat trends")

    def ready(self) -> None:
        # Job kinds register themselves when their module is imported.
        from . import jobs  # noqa: F401
