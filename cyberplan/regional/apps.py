from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalConfig(AppConfig):
    name = "cyberplan.regional"
    label = "regional"
    verbose_name = _("Regional programme")
