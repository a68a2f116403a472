from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare
from cyberplan.reports.registry import register_path


class RegionalConfig(AppConfig):
    name = "cyberplan.regional"
    label = "regional"
    verbose_name = _("Regional programme")

    def ready(self) -> None:
        declare(
            "regional_package",
            _("Build a statistics package"),
            "cyberplan.regional.jobs.run_build_job",
            describe="cyberplan.regional.jobs.describe",
        )
        # By dotted path: the report's content and renderers load only where a report is made.
        register_path("regional", "cyberplan.regional.report.command.KIND")  # cyberplan report regional
        declare(
            "regional_report",
            _("Regional report"),
            "cyberplan.regional.report.jobs.run_regional_report_job",
            describe="cyberplan.regional.report.jobs.describe",
        )
        declare(
            "regional_send",
            _("Send a statistics package to the regional programme"),
            "cyberplan.regional.jobs.run_send_job",
            describe="cyberplan.regional.jobs.describe_send",
        )
        declare(
            "regional_intake",
            _("Take in statistics packages that arrived by TAXII"),
            "cyberplan.regional.jobs.run_intake_job",
            describe="cyberplan.regional.jobs.describe_intake",
        )
        declare(
            "regional_pooled_figures",
            _("Compute the regional figures of the pooled events"),
            "cyberplan.regional.jobs.run_pooled_job",
            describe="cyberplan.regional.jobs.describe_pooled",
        )
        declare(
            "regional_demo",
            _("Build the demo's regional members and their packages"),
            "cyberplan.regional.jobs.run_demo_job",
        )
        from cyberplan.sharing.signals import envelope_stored

        envelope_stored.connect(_on_envelope_stored, dispatch_uid="regional-intake-on-post")


def _on_envelope_stored(sender: object, **kwargs: Any) -> None:
    """A partner's POST was stored: the regional intake decides whether it brought a package to take in."""
    from .models import IntakeCollection
    from .package import PACKAGE_TYPE

    added = kwargs.get("added") or []
    if not any(str(a.get("id", "")).startswith(f"{PACKAGE_TYPE}--") for a in added):
        return  # the usual POST of a partner: nothing for the regional intake, nothing more is loaded
    if not IntakeCollection.objects.filter(collection=kwargs.get("collection")).exists():
        return
    from .taxii_intake import on_envelope_stored  # loaded on the first package that arrives, not at start-up

    on_envelope_stored(sender, **kwargs)
