"""Words for the codes the analytics use: RSIT classes, victim categories, sectors, flags."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from cyberplan.core.models import Sector

#: The classes of the Reference Security Incident Taxonomy (RSIT).
TAXONOMIES = {
    "abusive-content": gettext_lazy("Abusive content"),
    "malicious-code": gettext_lazy("Malicious code"),
    "information-gathering": gettext_lazy("Information gathering"),
    "intrusion-attempts": gettext_lazy("Intrusion attempts"),
    "intrusions": gettext_lazy("Intrusions"),
    "availability": gettext_lazy("Availability"),
    "information-content-security": gettext_lazy("Information content security"),
    "fraud": gettext_lazy("Fraud"),
    "vulnerable": gettext_lazy("Vulnerable"),
    "other": gettext_lazy("Other"),
    "test": gettext_lazy("Test"),
}

CATEGORIES = {
    "government": gettext_lazy("Government and public bodies"),
    "private": gettext_lazy("Private sector"),
    "individuals": gettext_lazy("Individuals and ISP customers"),
    "unknown": gettext_lazy("Unknown"),
}

FLAGS = {
    "rise": gettext_lazy("significant rise"),
    "fall": gettext_lazy("significant fall"),
    "new": gettext_lazy("new this period"),
    "gone": gettext_lazy("no longer seen"),
}


def taxonomy_label(code: str) -> str:
    if code == "unknown":
        return _("Unknown")
    label = TAXONOMIES.get(code)
    return str(label) if label is not None else code


def category_label(code: str) -> str:
    label = CATEGORIES.get(code)
    return str(label) if label is not None else code


def country_label(code: str) -> str:
    """A country's name in the active language, from its ISO 3166 code (the code itself if unknown)."""
    if not code or code == "unknown":
        return _("Unknown country")
    return str(countries.name(code) or code)


def flag_label(code: str) -> str:
    label = FLAGS.get(code)
    return str(label) if label is not None else ""


#: The sector names this process read last, and when: a page names dozens of sectors, and each
#: read of the shared cache is a file read.
_local_names: tuple[float, dict[str, tuple[str, str]]] | None = None
LOCAL_SECONDS = 60.0


def _sector_names() -> dict[str, tuple[str, str]]:
    global _local_names
    now = time.monotonic()
    if _local_names is not None and now - _local_names[0] < LOCAL_SECONDS:
        return _local_names[1]
    names: dict[str, tuple[str, str]] | None = cache.get("trends:sector-names")
    if names is None:
        names = {code: (en, es) for code, en, es in Sector.objects.values_list("code", "name_en", "name_es")}
        cache.set("trends:sector-names", names, 300)
    _local_names = (now, names)
    return names


def sector_label(code: str) -> str:
    if code == "unknown":
        return _("Unknown sector")
    names = _sector_names().get(code)
    if names is None:
        return code
    english, spanish = names
    return spanish if (get_language() or "en").startswith("es") and spanish else english
