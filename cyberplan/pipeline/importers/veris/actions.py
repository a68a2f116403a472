"""VERIS actions to RSIT classes: the table and the choice between several actions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .values import _section, _strings

# -- classification --------------------------------------------------------------------------------

ACTION_CATEGORIES = ("malware", "hacking", "social", "misuse", "physical", "error", "environmental", "unknown")

INFECTED = ("malicious-code", "infected-system")
APPLICATION_COMPROMISE = ("intrusions", "application-compromise")
SYSTEM_COMPROMISE = ("intrusions", "system-compromise")
BRUTE_FORCE = ("intrusion-attempts", "brute-force")
DOS = ("availability", "dos")
SCANNER = ("information-gathering", "scanner")
SNIFFING = ("information-gathering", "sniffing")
INFORMATION_ACCESS = ("information-content-security", "unauthorised-information-access")
DATA_LEAK = ("information-content-security", "data-leak")
PHISHING = ("fraud", "phishing")
RESOURCE_MISUSE = ("fraud", "unauthorized-use-of-resources")
OTHER = ("other", "other")
UNDETERMINED = ("other", "undetermined")

_APPLICATION_ATTACKS = (
    "Abuse of functionality",
    "Buffer overflow",
    "Cache poisoning",
    "CSRF",
    "Exploit misconfig",
    "Exploit vuln",
    "Forced browsing",
    "Format string attack",
    "Fuzz testing",
    "Hijack",
    "HTTP request smuggling",
    "HTTP request splitting",
    "HTTP response smuggling",
    "HTTP response splitting",
    "Insecure deserialization",
    "Integer overflows",
    "LDAP injection",
    "Mail command injection",
    "Null byte injection",
    "OS commanding",
    "Path traversal",
    "Prompt injection",
    "RFI",
    "Session fixation",
    "Session prediction",
    "Session replay",
    "Soap array abuse",
    "Special element injection",
    "SQLi",
    "SSI injection",
    "URL redirector abuse",
    "XML attribute blowup",
    "XML entity expansion",
    "XML external entities",
    "XML injection",
    "XPath injection",
    "XQuery injection",
    "XSS",
)

#: RSIT class (IntelMQ ``classification.taxonomy``, ``classification.type``) of each VERIS action
#: variety; ``*`` is the class of any variety not listed (including ``Other`` and ``Unknown``).
#:
#: ========== ============================================================ =====================================
#: action     varieties                                                    RSIT class
#: ========== ============================================================ =====================================
#: malware    any (Ransomware, RAM scraper, Backdoor, ...)                 malicious-code / infected-system
#: hacking    web and application attacks (Exploit vuln, SQLi, XSS, ...)    intrusions / application-compromise
#: hacking    Use of stolen creds, Backdoor, Pass-the-hash, other, unknown  intrusions / system-compromise
#: hacking    Brute force, Offline cracking, Cryptanalysis                  intrusion-attempts / brute-force
#: hacking    DoS                                                           availability / dos
#: hacking    Scan network, Profile host                                    information-gathering / scanner
#: hacking    AitM, Routing detour                                          information-gathering / sniffing
#: social     Phishing                                                      fraud / phishing
#: social     any other (Pretexting, Extortion, Bribery, ...)               other / other
#: misuse     Privilege abuse, Knowledge abuse, Possession abuse, other     information-content-security /
#:                                                                          unauthorised-information-access
#: misuse     Data mishandling                                              information-content-security / data-leak
#: misuse     Unapproved hardware/software/workaround, Net/Email misuse,    fraud / unauthorized-use-of-resources
#:            Illicit content
#: physical   any (Theft, Tampering, Skimmer, ...)                          other / other
#: error      any (Misdelivery, Loss, Publishing error, ...)                other / other
#: environmental any                                                        other / other
#: unknown    (no varieties)                                                other / undetermined
#: ========== ============================================================ =====================================
#:
#: Ransomware is ``malicious-code/infected-system`` with identifier ``malware-ransomware`` (as
#: IntelMQ maps its old ``ransomware`` type to ``infected-system``). Physical, error and
#: environmental actions have no RSIT class of their own; the identifier keeps the variety.
ACTION_RSIT: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "malware": {"*": INFECTED},
    "hacking": {
        **dict.fromkeys(_APPLICATION_ATTACKS, APPLICATION_COMPROMISE),
        "Use of stolen creds": SYSTEM_COMPROMISE,
        "Pass-the-hash": SYSTEM_COMPROMISE,
        "Backdoor": SYSTEM_COMPROMISE,
        "Use of backdoor or C2": SYSTEM_COMPROMISE,
        "User breakout": SYSTEM_COMPROMISE,
        "Virtual machine escape": SYSTEM_COMPROMISE,
        "Brute force": BRUTE_FORCE,
        "Offline cracking": BRUTE_FORCE,
        "Cryptanalysis": BRUTE_FORCE,
        "DoS": DOS,
        "Scan network": SCANNER,
        "Profile host": SCANNER,
        "Footprinting": SCANNER,
        "AitM": SNIFFING,
        "MitM": SNIFFING,
        "Routing detour": SNIFFING,
        "*": SYSTEM_COMPROMISE,
    },
    "social": {"Phishing": PHISHING, "*": OTHER},
    "misuse": {
        "Data mishandling": DATA_LEAK,
        "Email misuse": RESOURCE_MISUSE,
        "Net misuse": RESOURCE_MISUSE,
        "Illicit content": RESOURCE_MISUSE,
        "Unapproved hardware": RESOURCE_MISUSE,
        "Unapproved software": RESOURCE_MISUSE,
        "Unapproved workaround": RESOURCE_MISUSE,
        "*": INFORMATION_ACCESS,
    },
    "physical": {"*": OTHER},
    "error": {"*": OTHER},
    "environmental": {"*": OTHER},
    "unknown": {"*": UNDETERMINED},
}

#: When an incident has several actions, the first of these classes present wins: malicious code
#: found on the victim's systems first, then compromises, attacks on availability, misuse of
#: access, fraud, attempts and reconnaissance, then the classes without an RSIT meaning.
RSIT_PRIORITY: tuple[tuple[str, str], ...] = (
    INFECTED,
    APPLICATION_COMPROMISE,
    SYSTEM_COMPROMISE,
    DOS,
    INFORMATION_ACCESS,
    DATA_LEAK,
    PHISHING,
    RESOURCE_MISUSE,
    BRUTE_FORCE,
    SNIFFING,
    SCANNER,
    OTHER,
    UNDETERMINED,
)

#: Between varieties of the same RSIT class, Ransomware names the incident first, and Other and
#: Unknown only when nothing more specific is given; otherwise the first in the record wins.
VARIETY_PREFERENCE: Mapping[str, int] = {"Ransomware": 0, "Other": 2, "Unknown": 3}


# -- choosing the class ------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def _actions(action: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(category, variety) of every action, categories in :data:`ACTION_CATEGORIES` order; the
    variety is None for an action without varieties (``unknown``)."""
    pairs: list[tuple[str, str | None]] = []
    for category in ACTION_CATEGORIES:
        if category not in action:
            continue
        varieties: list[str | None] = [*_strings(_section(action, category).get("variety"))]
        pairs.extend((category, variety) for variety in varieties or [None])
    return pairs


def classify(action: Mapping[str, Any]) -> tuple[str, str, str, list[str]]:
    """(taxonomy, type, identifier, actions listed as ``category.variety``) of a validated ``action``."""
    pairs = _actions(action)
    if not pairs:
        return UNDETERMINED[0], UNDETERMINED[1], "unknown", []
    candidates = []
    for position, (category, variety) in enumerate(pairs):
        name = variety or "Unknown"
        rules = ACTION_RSIT[category]
        rsit = rules.get(name, rules["*"])
        candidates.append((RSIT_PRIORITY.index(rsit), VARIETY_PREFERENCE.get(name, 1), position, category, name, rsit))
    category, variety, (taxonomy, type_) = min(candidates)[3:]
    identifier = "unknown" if category == "unknown" else f"{category}-{_slug(variety)}"
    return taxonomy, type_, identifier, [c if v is None else f"{c}.{v}" for c, v in pairs]
