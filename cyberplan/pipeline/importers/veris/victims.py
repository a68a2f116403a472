"""The victim's sector (from NAICS) and the incident's severity (from impact and attributes)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# -- victim ----------------------------------------------------------------------------------------

#: NAICS code prefix -> cyberplan sector code (core migration 0002); the longest matching prefix
#: wins. ``00`` (unknown) and codes that match nothing give NULL, never a guess.
#:
#: ======================= ======================================================================
#: NAICS                   sector
#: ======================= ======================================================================
#: 11                      agriculture
#: 211, 2121               energy (oil and gas extraction, coal mining); other 21 (mining) other
#: 22                      energy (utilities); 2213 water (water, sewage and other systems)
#: 23                      other (construction)
#: 31, 32, 33              manufacturing
#: 42, 44, 45              retail (wholesale and retail trade)
#: 48, 49                  transport (transportation, warehousing, postal)
#: 51                      media (publishing, broadcasting, film); 517 and 518 telecommunications
#:                         (telecommunications, data processing and hosting); 5112 and 5132
#:                         professional_services (software publishers)
#: 52                      finance
#: 53                      other (real estate, rental and leasing)
#: 54, 55, 56              professional_services
#: 61                      education
#: 62                      health (health care and social assistance, 624 included)
#: 71, 72                  hospitality (arts and recreation; accommodation and food services)
#: 81                      other (repair, personal services); 813 civil_society (religious, civic,
#:                         professional organisations); 814 individuals (private households)
#: 92                      government (public administration, all of it: 922 justice and 928
#:                         national security are not split out)
#: ======================= ======================================================================
NAICS_SECTORS: Mapping[str, str] = {
    "11": "agriculture",
    "21": "other",
    "211": "energy",
    "2121": "energy",
    "22": "energy",
    "2213": "water",
    "23": "other",
    "31": "manufacturing",
    "32": "manufacturing",
    "33": "manufacturing",
    "42": "retail",
    "44": "retail",
    "45": "retail",
    "48": "transport",
    "49": "transport",
    "51": "media",
    "5112": "professional_services",
    "5132": "professional_services",
    "517": "telecommunications",
    "518": "telecommunications",
    "52": "finance",
    "53": "other",
    "54": "professional_services",
    "55": "professional_services",
    "56": "professional_services",
    "61": "education",
    "62": "health",
    "71": "hospitality",
    "72": "hospitality",
    "81": "other",
    "813": "civil_society",
    "814": "individuals",
    "92": "government",
}

#: ``victim.victim_id`` values (compared trimmed, case-insensitive) that name nobody.
PLACEHOLDER_VICTIMS = frozenset(
    {
        "",
        "-",
        "?",
        "anonymous",
        "n/a",
        "na",
        "none",
        "not applicable",
        "not disclosed",
        "null",
        "other",
        "redacted",
        "undisclosed",
        "unknown",
        "unnamed",
        "victim",
    }
)

# -- severity --------------------------------------------------------------------------------------

SEVERITY_ORDER = ("low", "medium", "high", "critical")

#: ``impact.overall_rating`` -> severity (``Unknown`` gives nothing).
RATING_SEVERITY: Mapping[str, str] = {
    "Insignificant": "low",
    "Distracting": "low",
    "Painful": "medium",
    "Damaging": "high",
    "Catastrophic": "critical",
}

#: ``attribute.confidentiality.data_total`` (records exposed): the first threshold reached.
RECORD_SEVERITY: tuple[tuple[int, str], ...] = (
    (1_000_000, "critical"),
    (10_000, "high"),
    (100, "medium"),
    (0, "low"),
)


def sector_for(industry: Any) -> str | None:
    """The cyberplan sector of a NAICS code (``"621111"``, ``"31-33"``), or None when unknown."""
    if not isinstance(industry, str):
        return None
    match = re.match(r"\s*(\d{2,6})", industry)
    if not match or match.group(1).startswith("00"):
        return None
    code = match.group(1)
    for length in range(len(code), 1, -1):
        sector = NAICS_SECTORS.get(code[:length])
        if sector:
            return sector
    return None


def severity_for(incident: Mapping[str, Any]) -> tuple[str, str | None]:
    """(severity, basis) from the impact rating and the number of records exposed."""
    candidates: list[str] = []
    basis: list[str] = []
    impact = incident.get("impact")
    rating = impact.get("overall_rating") if isinstance(impact, dict) else None
    if isinstance(rating, str) and rating in RATING_SEVERITY:
        candidates.append(RATING_SEVERITY[rating])
        basis.append(f"impact.overall_rating={rating}")
    attribute = incident.get("attribute")
    confidentiality = attribute.get("confidentiality") if isinstance(attribute, dict) else None
    total = confidentiality.get("data_total") if isinstance(confidentiality, dict) else None
    if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
        candidates.append(next(level for threshold, level in RECORD_SEVERITY if total >= threshold))
        basis.append(f"attribute.confidentiality.data_total={total}")
    if not candidates:
        return "unknown", None
    return max(candidates, key=SEVERITY_ORDER.index), "; ".join(basis)
