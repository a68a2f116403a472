"""STIX and MISP shared vocabularies: TLP levels and markings, RSIT classes, the STIX open vocabularies."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

FEED_NAME = "stix"

TLP_ORDER = ("clear", "green", "amber", "amber+strict", "red")  # least to most restrictive

# RSIT (Reference Security Incident Taxonomy), current class and type names.
RSIT: dict[str, frozenset[str]] = {
    "abusive-content": frozenset({"spam", "harmful-speech", "violence"}),
    "malicious-code": frozenset({"infected-system", "c2-server", "malware-distribution", "malware-configuration"}),
    "information-gathering": frozenset({"scanner", "sniffing", "social-engineering"}),
    "intrusion-attempts": frozenset({"ids-alert", "brute-force", "exploit"}),
    "intrusions": frozenset(
        {
            "privileged-account-compromise",
            "unprivileged-account-compromise",
            "application-compromise",
            "system-compromise",
            "burglary",
        }
    ),
    "availability": frozenset({"dos", "ddos", "misconfiguration", "sabotage", "outage"}),
    "information-content-security": frozenset(
        {"unauthorised-information-access", "unauthorised-information-modification", "data-loss", "data-leak"}
    ),
    "fraud": frozenset({"unauthorised-use-of-resources", "copyright", "masquerade", "phishing"}),
    "vulnerable": frozenset(
        {
            "weak-crypto",
            "ddos-amplifier",
            "potentially-unwanted-accessible",
            "information-disclosure",
            "vulnerable-system",
        }
    ),
    "other": frozenset({"other", "undetermined"}),
    "test": frozenset({"test"}),
}

OTHER = ("other", "other")

# eCSIRT.net and older RSIT names -> current RSIT class and type.
LEGACY_RSIT: dict[tuple[str, str], tuple[str, str]] = {
    **{
        ("malicious-code", old): ("malicious-code", "infected-system")
        for old in ("virus", "worm", "trojan", "spyware", "dialer", "rootkit", "malware", "botnet-drone", "ransomware")
    },
    ("malicious-code", "c&c"): ("malicious-code", "c2-server"),
    ("malicious-code", "c2server"): ("malicious-code", "c2-server"),
    ("malicious-code", "malware-distribution"): ("malicious-code", "malware-distribution"),
    ("malicious-code", "malware-configuration"): ("malicious-code", "malware-configuration"),
    ("intrusions", "bot"): ("intrusions", "system-compromise"),
    ("intrusions", "backdoor"): ("intrusions", "system-compromise"),
    ("intrusions", "compromised"): ("intrusions", "system-compromise"),
    ("intrusions", "defacement"): ("information-content-security", "unauthorised-information-modification"),
    ("intrusion-attempts", "login-attempts"): ("intrusion-attempts", "brute-force"),
    ("vulnerable", "vulnerable-service"): ("vulnerable", "vulnerable-system"),
    ("fraud", "unauthorized-use-of-resources"): ("fraud", "unauthorised-use-of-resources"),
    ("information-content-security", "unauthorized-information-access"): (
        "information-content-security",
        "unauthorised-information-access",
    ),
    ("information-content-security", "unauthorized-information-modification"): (
        "information-content-security",
        "unauthorised-information-modification",
    ),
    ("abusive-content", "harassment"): ("abusive-content", "harmful-speech"),
    ("abusive-content", "discrimination"): ("abusive-content", "harmful-speech"),
    ("abusive-content", "child-porn"): ("abusive-content", "violence"),
    ("abusive-content", "child-sexual-exploitation"): ("abusive-content", "violence"),
    ("other", "unknown"): ("other", "undetermined"),
}

_MACHINE_TAG = re.compile(
    r'^\s*(rsit|ecsirt)\s*:\s*([a-z0-9&_-]+)\s*=\s*"?\s*([a-z0-9&+_ -]+?)\s*"?\s*$', re.IGNORECASE
)


def rsit_from_machine_tag(tag: object) -> tuple[str, str] | None:
    """The RSIT class and type of an ``rsit:<class>="<type>"`` or ``ecsirt:<class>="<type>"`` tag."""
    if not isinstance(tag, str):
        return None
    match = _MACHINE_TAG.match(tag)
    if not match:
        return None
    taxonomy = match.group(2).lower().replace("_", "-")
    type_ = match.group(3).lower().replace("_", "-").replace(" ", "-")
    if taxonomy in RSIT and type_ in RSIT[taxonomy]:
        return taxonomy, type_
    return LEGACY_RSIT.get((taxonomy, type_))


_TLP_NAMES = {
    "white": "clear",
    "clear": "clear",
    "green": "green",
    "amber": "amber",
    "amber+strict": "amber+strict",
    "red": "red",
}


def tlp_level(name: object) -> str | None:
    """``white``/``TLP:WHITE``/``tlp:clear``/... -> the cyberplan TLP value, or None."""
    if not isinstance(name, str):
        return None
    text = name.strip().lower()
    if text.startswith("tlp:"):
        text = text[4:].strip()
    return _TLP_NAMES.get(text)


def most_restrictive(levels: Iterable[str | None]) -> str | None:
    known = [level for level in levels if level in TLP_ORDER]
    return max(known, key=TLP_ORDER.index) if known else None


# =============================================================================================
# STIX: TLP markings and open vocabularies
# =============================================================================================

# Standard TLP marking definitions: TLP 1.0 (STIX 2.1 specification) and TLP 2.0 (FIRST/OASIS).
TLP_MARKINGS: dict[str, str] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",  # TLP:WHITE (1.0)
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",  # TLP:CLEAR (2.0)
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
}
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

VOCABULARY: dict[str, tuple[str, str]] = {
    # STIX 2.1 indicator-type-ov
    "anomalous-activity": OTHER,
    "anonymization": OTHER,
    "benign": OTHER,
    "compromised": ("intrusions", "system-compromise"),
    "malicious-activity": OTHER,
    "attribution": OTHER,
    "unknown": OTHER,
    # words producers use for indicator types, incident types and labels
    "phishing": ("fraud", "phishing"),
    "botnet": ("malicious-code", "infected-system"),
    "bot": ("malicious-code", "infected-system"),
    "malware": ("malicious-code", "infected-system"),
    "ransomware": ("malicious-code", "infected-system"),
    "c2": ("malicious-code", "c2-server"),
    "c2-server": ("malicious-code", "c2-server"),
    "command-and-control": ("malicious-code", "c2-server"),
    "malware-distribution": ("malicious-code", "malware-distribution"),
    "scanner": ("information-gathering", "scanner"),
    "scanning": ("information-gathering", "scanner"),
    "spam": ("abusive-content", "spam"),
    "ddos": ("availability", "ddos"),
    "dos": ("availability", "dos"),
    "denial-of-service": ("availability", "dos"),
    "brute-force": ("intrusion-attempts", "brute-force"),
    "exploit": ("intrusion-attempts", "exploit"),
    "exploitation": ("intrusion-attempts", "exploit"),
    "defacement": ("information-content-security", "unauthorised-information-modification"),
    "unauthorized-access": ("information-content-security", "unauthorised-information-access"),
    "unauthorised-access": ("information-content-security", "unauthorised-information-access"),
    "data-leak": ("information-content-security", "data-leak"),
    "data-breach": ("information-content-security", "data-leak"),
    "exfiltration": ("information-content-security", "data-leak"),
    "vulnerable": ("vulnerable", "vulnerable-system"),
    "vulnerability": ("vulnerable", "vulnerable-system"),
    "test": ("test", "test"),
}

MALWARE_TYPES: dict[str, tuple[str, str]] = {
    "bot": ("malicious-code", "infected-system"),
    "exploit-kit": ("malicious-code", "malware-distribution"),
    "dropper": ("malicious-code", "malware-distribution"),
    "downloader": ("malicious-code", "malware-distribution"),
}

# Timestamps checked by the importer itself (a clear reason for a missing zone).
TIMESTAMPS = (
    "created",
    "modified",
    "valid_from",
    "valid_until",
    "first_seen",
    "last_seen",
    "first_observed",
    "last_observed",
)

SCO_VALUE_TYPES = {"ipv4-addr", "ipv6-addr", "domain-name", "url"}
TRANSPORTS = {"tcp", "udp", "icmp", "sctp"}
NETWORK_LAYER = {"ipv4", "ipv6", "ip", "icmp6", "ipv6-icmp"}
MAX_ALTERNATIVES = 1000  # an indicator's pattern may expand to at most this many events


def classify(*candidates: Iterable[tuple[str, str] | None]) -> tuple[str, str]:
    """The first specific class among the candidates (in order), else other/other."""
    for group in candidates:
        for value in group:
            if value is not None and value != OTHER:
                return value
    return OTHER


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _words(values: Iterable[str]) -> Iterator[tuple[str, str] | None]:
    for value in values:
        yield VOCABULARY.get(value.strip().lower().replace("_", "-").replace(" ", "-"))
