"""The capabilities of the platform, as the navigation shows them.

A section whose app is not built yet points to a page that says what it will hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    summary: str | Promise
    url_name: str | None = None  # None: not built yet


SECTIONS: tuple[Section, ...] = (
    Section(
        "threats",
        _("Threat evidence"),
        _(
            "Security feeds and incident records (Shadowserver reports, STIX bundles, MISP events, VERIS "
            "incidents, any CSV) in one normalised event store, classified with the Reference Security "
            "Incident Taxonomy, enriched with country, network, owner and sector, with every rejected "
            "record kept and explained."
        ),
        url_name="threats:import_list",
    ),
    Section(
        "trends",
        _("Threat trends"),
        _(
            "The national cybersecurity trends report and dashboard: what threatens government, businesses "
            "and citizens, by month, type, sector and network, with tested changes, in Spanish and English."
        ),
        url_name="trends:dashboard",
    ),
    Section(
        "assessment",
        _("Capacity assessment"),
        _(
            "An evidence-backed national capacity maturity assessment in five dimensions, reviewed and "
            "scored, compared with earlier assessments and with published peer indices."
        ),
        url_name="assessment:assessment_list",
    ),
    Section(
        "legal",
        _("Legal alignment"),
        _(
            "Article-by-article alignment of national law with the Budapest Convention on Cybercrime and its "
            "protocols, a registry of national instruments, coverage and gaps."
        ),
        url_name="legal:review_list",
    ),
    Section(
        "training",
        _("Capacity building"),
        _(
            "Training programmes and who was trained (judges, prosecutors, CSIRT staff, officials), feeding "
            "the indicators of the capacity assessment."
        ),
        url_name="training:programme_list",
    ),
    Section(
        "strategy",
        _("Strategy"),
        _(
            "The national strategy itself: vision, axes, objectives, action lines and actions with lead "
            "institutions, budget, timeline and indicators, each traceable to the gaps it addresses."
        ),
        url_name="strategy:strategy_list",
    ),
    Section(
        "monitoring",
        _("Monitoring and evaluation"),
        _("Action status, indicator measurements, progress per axis and the monitoring and evaluation report."),
        url_name="strategy:monitoring_home",
    ),
    Section(
        "sharing",
        _("Sharing network"),
        _("Exchange with partner CSIRTs: STIX 2.1 over TAXII 2.1 as server and client, TLP 2.0 enforced, MISP export."),
        url_name="sharing:group_list",
    ),
    Section(
        "regional",
        _("Regional programme"),
        _(
            "The instances of member states share statistics packages with a regional programme, which builds the "
            "regional view and the regional cybersecurity trends report from them."
        ),
        url_name="regional:package_list",
    ),
)

SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}

# Pages of the strategy app that belong to the monitoring section of the navigation.
MONITORING_URL_NAMES = frozenset(
    {"monitoring_home", "monitoring", "monitoring_action", "monitoring_kpi", "kpi_compute", "progress_evidence"}
)


def current_section(app_name: str | None, url_name: str | None) -> str | None:
    """The slug of the navigation section a page belongs to (its app's, by default)."""
    if app_name == "strategy" and url_name in MONITORING_URL_NAMES:
        return "monitoring"
    return app_name if app_name in SECTIONS_BY_SLUG else None
