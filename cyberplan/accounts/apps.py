from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-in: django-allauth's pages and flows adapted to cyberplan, the two-factor requirement, and
    the audit of sign-ins, second factors and single sign-on links."""

    name = "cyberplan.accounts"
    label = "cyberplan_accounts"
    verbose_name = _("Sign-in")

    def ready(self) -> None:
        from . import signals  # the signal handlers read the models: loaded only by now

        signals.connect()
