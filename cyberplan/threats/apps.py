from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThreatsConfig(AppConfig):
    name = "cyberplan.threats"
    label = "threats"
    verbose_name = _("Threat evidence")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the import job kind)
