from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare


class SharingConfig(AppConfig):
    name = "cyberplan.sharing"
    label = "sharing"
    verbose_name = _("Sharing network")

    def ready(self) -> None:
        declare(
            "sharing_publish",
            _("Publish to a collection"),
            "cyberplan.sharing.jobs.run_publish_job",
            describe="cyberplan.sharing.jobs.describe",
        )
        declare(
            "sharing_pull",
            _("Pull a partner's TAXII collection"),
            "cyberplan.sharing.jobs.run_pull_job",
            describe="cyberplan.sharing.jobs.describe_pull",
        )
        declare(
            "sharing_push",
            _("Push a collection to a partner's TAXII server"),
            "cyberplan.sharing.jobs.run_push_job",
            describe="cyberplan.sharing.jobs.describe_push",
        )
