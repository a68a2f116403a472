from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GapsConfig(AppConfig):
    name = "cyberplan.gaps"
    label = "gaps"
    verbose_name = _("Gap register")
