"""STIX 2.1 bundles (JSON): indicators, observed data, sightings and incidents become events.

What is a record
----------------
Every object in the bundle's ``objects`` array is validated; an object that fails becomes a
reject whose ``line`` is its position in ``objects`` (0-based), with the property at fault as
``field`` when it is known (``""`` otherwise) and the reason. A bad object never costs the
good ones: objects are validated one by one. Objects that only describe (identity, malware,
relationship, marking-definition, report, attack-pattern, threat-actor, ...) and the cyber
observables (SCOs) give no event of their own: they are the context the events are built
from. One object may give several events (an indicator with ``OR``), so the number read is
the number of events staged plus the number of rejects.

Validation, per object, in this order: the importer's own checks (an object with a ``type``
and an ``id``, nested at most 64 levels, every Unicode string valid, the timestamps
(``created``, ``modified``, ``valid_from``, ``first_seen``, ``first_observed``, ...) UTC and
ending with ``Z`` -- a timestamp without a zone is rejected --, ``confidence`` 0-100, the
value of ``ipv4-addr``, ``ipv6-addr``, ``domain-name`` and ``url`` observables), then the
``stix2`` library's object model (required properties, types, identifiers, timestamps,
pattern grammar), then stix2-validator: its JSON schemas and MUST checks when the installed
package ships its schemas, its MUST checks alone when it does not (stix2-validator 3.3.1 as
published on PyPI lacks the schema files, oasis-open/cti-stix-validator issue 248). A
validator check that fails to run on an object the ``stix2`` object model accepted (the
validator trips on some valid objects, such as embedded observables without ids) does not
reject it: the failure is noted in ``extra.validation.notes``, as are the library's notices
(the deprecated ``objects`` property of observed data).

A whole file that is not UTF-8, not JSON, truncated, not a bundle, or a bundle with more
objects than ``ImportOptions.max_objects`` is refused with :class:`SourceError`.

Events
------
Common to every event: ``feed.name`` = ``stix``; ``feed.provider`` = name of the identity the
object's ``created_by_ref`` points to (else the import's default); ``raw`` = the object as
canonical JSON; ``extra`` = ``stix.id``, ``stix.type``, ``name``, ``description``,
``confidence``, ``labels``, ``external_ids`` (``source_name:external_id``, or the URL) and
what is listed below; ``event_key`` = the object's id and the observable values, so the same
object imported again is a duplicate (a newer version of an object with the same id is a
duplicate too).

``indicator`` (``pattern_type`` ``stix``)
    ``time.source`` = ``valid_from``. The pattern is parsed with the ``stix2`` pattern
    visitor and put in disjunctive normal form: every alternative of an ``OR`` (also
    ``IN (...)``) is one event; the comparisons joined by ``AND`` (also ``FOLLOWEDBY``) are
    one event carrying all of them. Qualifiers (``WITHIN``, ``REPEATS``, ``START/STOP``) are
    kept in ``extra.pattern.qualifiers``. Comparisons mapped:

    ===========================================  =============================================
    ``ipv4-addr:value``, ``ipv6-addr:value``     ``source.ip`` (a CIDR: ``source.network``);
                                                 ``ISSUBSET``: ``source.network``
    ``domain-name:value``                        ``source.fqdn`` (lower case, no final dot)
    ``url:value``                                ``source.url``
    ``file:hashes.'MD5'`` / ``SHA-1`` / ...      ``extra.malware.hash.md5`` / ``sha1`` / ...
    ``file:name``                                ``extra.file.name``
    ``email-addr:value``                         ``extra.source.account``
    ``network-traffic:src_ref.value``            ``source.ip`` or ``source.fqdn``
    ``network-traffic:dst_ref.value``            ``destination.ip`` or ``destination.fqdn``
    ``network-traffic:src_port`` / ``dst_port``  ``source.port`` / ``destination.port``
    ``network-traffic:protocols[*]``             ``protocol.transport`` (tcp, udp, icmp, sctp)
                                                 or ``protocol.application``
    ===========================================  =============================================

    Other comparisons of an alternative are kept as text in ``extra.pattern.unmapped``; an
    alternative with no mapped comparison, a pattern that does not parse, a value that is not
    valid for its type (``'999.1.1.1'`` as an address) or an ``AND`` giving one field two
    values is a reject (field ``pattern``). Indicators in another pattern language (Sigma,
    Snort, YARA, ...) are rejects: cyberplan does not map them. ``malware.name`` (and
    ``classification.identifier``) come from the ``malware`` objects the indicator
    ``indicates`` (relationships); the first by name, all of them in ``extra.malware.names``.
``observed-data``
    ``time.source`` = ``first_observed``; the observables are the SCOs of ``object_refs``
    (or of the deprecated embedded ``objects``): a ``network-traffic`` gives one event with
    its ``src_ref`` / ``dst_ref`` addresses, ports and protocols; a ``domain-name`` with
    ``resolves_to_refs`` gives the name and its (first) address; every other ``ipv4-addr``,
    ``ipv6-addr``, ``domain-name``, ``url``, ``file`` (hashes) and ``email-addr`` is one
    event, mapped as in the table above. ``number_observed`` and ``last_observed`` go to
    ``extra``. Observed data with no observable cyberplan maps is a reject.
``sighting``
    ``time.source`` = ``first_seen``, else ``created``; ``extra.sighting.count`` = ``count``.
    A sighting of an indicator of the bundle gives one event per observable of the
    indicator, with its classification and malware; otherwise one event without observable.
``incident``
    ``time.source`` = ``created``; one event, classified from its labels and from
    ``incident_types`` in its extensions, else ``other/other``.

Classification (RSIT)
---------------------
The first of these that gives a specific class wins, else ``other/other``:

1. machine tags among the object's ``labels``: ``rsit:<class>="<type>"`` and the older
   ``ecsirt:<class>="<type>"`` (eCSIRT.net names are mapped to current RSIT names, see
   ``LEGACY_RSIT``), as MISP writes them when it exports STIX;
2. ``indicator_types`` (indicators), ``incident_types`` (incidents) and plain ``labels``,
   looked up in ``VOCABULARY``:

   ====================================================  =======================================
   ``phishing``                                          fraud / phishing
   ``compromised``                                       intrusions / system-compromise
   ``botnet``, ``bot``, ``malware``, ``ransomware``      malicious-code / infected-system
   ``c2``, ``c2-server``, ``command-and-control``        malicious-code / c2-server
   ``malware-distribution``                              malicious-code / malware-distribution
   ``scanner``, ``scanning``                             information-gathering / scanner
   ``spam``                                              abusive-content / spam
   ``ddos``; ``dos``, ``denial-of-service``              availability / ddos; dos
   ``brute-force``; ``exploit``, ``exploitation``        intrusion-attempts / brute-force; exploit
   ``defacement``                                        information-content-security /
                                                         unauthorised-information-modification
   ``unauthorized-access``, ``unauthorised-access``      information-content-security /
                                                         unauthorised-information-access
   ``data-leak``, ``data-breach``, ``exfiltration``      information-content-security / data-leak
   ``vulnerable``, ``vulnerability``                     vulnerable / vulnerable-system
   ``test``                                              test / test
   ``malicious-activity``, ``anomalous-activity``,       other / other (too general to say more)
   ``anonymization``, ``attribution``, ``benign``,
   ``unknown``
   ====================================================  =======================================

3. ``malware_types`` of the malware the indicator indicates (``MALWARE_TYPES``): ``bot`` ->
   malicious-code / infected-system; ``exploit-kit``, ``dropper``, ``downloader`` ->
   malicious-code / malware-distribution; other malware types say nothing about the
   observable's role and give no class.

TLP
---
From ``object_marking_refs``: the four standard STIX TLP 1.0 marking definitions (white ->
``clear``, green, amber, red), the five TLP 2.0 marking definitions, and any marking
definition of the bundle that carries the TLP 2.0 extension
(``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``, property ``tlp_2_0``), a
TLP 1.0 ``definition`` or a ``TLP:...`` name; also from ``tlp:`` labels (MISP writes its TLP
tags as labels when it exports STIX). Standard marking ids always mean their standard level,
whatever a bundle says they contain. Several TLP levels, or an event carrying content of
several objects (observed data and its SCOs, a sighting and its indicator): the most
restrictive of all applies. No TLP marking: the import's default (``ImportOptions.tlp``);
markings that are not TLP (statements, PAP, ...) are not read, nor are granular markings.

The helpers in the section "shared with the MISP importer" are used by :mod:`.misp` too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import ipaddress
import itertools
import json
import re
import urllib.parse
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..schema import FIELD_NAMES
from . import register
from .base import Importer, ImportOptions, RowStager, Source, SourceError, compact_extra, json_text
from .progress import Counter

FEED_NAME = "stix"

# =============================================================================================
# Shared with the MISP importer: TLP, RSIT, value normalisation, reading a JSON file
# =============================================================================================

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


class BadValueError(ValueError):
    """A value that is not valid for its type; the message says why."""


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise BadValueError(f"{what} must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise BadValueError(f"{what} is empty")
    return text


def ip_or_network(value: object, version: int | None = None) -> tuple[str | None, str | None]:
    """An address -> (canonical address, None); a CIDR -> (None, canonical network) (a /32 or /128 is an address)."""
    text = _text(value, "the address")
    label = {4: "an IPv4", 6: "an IPv6", None: "an IP"}[version]
    try:
        if "/" in text:
            network = ipaddress.ip_network(text, strict=False)
            if version and network.version != version:
                raise ValueError
            if network.prefixlen == network.max_prefixlen:
                return str(network.network_address), None
            return None, str(network)
        address = ipaddress.ip_address(text)
    except ValueError:
        raise BadValueError(f"{text!r} is not {label} address or network") from None
    if version and address.version != version:
        raise BadValueError(f"{text!r} is not {label} address")
    return str(address), None


def canonical_ip(value: object) -> str:
    text = _text(value, "the address")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise BadValueError(f"{text!r} is not an IP address") from None


_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


def canonical_fqdn(value: object) -> str:
    text = _text(value, "the domain name").lower().rstrip(".")
    labels = text.split(".")
    if len(text) > 253 or not all(_LABEL.match(label) for label in labels):
        raise BadValueError(f"{text!r} is not a domain name")
    return text


def canonical_url(value: object) -> str:
    text = _text(value, "the URL")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise BadValueError(f"{text!r} is not a URL (it contains white space or control characters)")
    try:
        parts = urllib.parse.urlsplit(text if "://" in text else "http://" + text)
        host = parts.hostname
    except ValueError:
        host = None
    if not host:
        raise BadValueError(f"{text!r} is not a URL (no host)")
    return text


HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}


def hash_key(algorithm: str) -> str:
    """``SHA-256`` / ``sha256`` / ``'SHA-256'`` -> ``sha256``."""
    return re.sub(r"[^a-z0-9]", "", algorithm.lower())


def canonical_hash(algorithm: str, value: object) -> str:
    key = hash_key(algorithm)
    text = _text(value, f"the {algorithm} hash")
    if key in HASH_LENGTHS:
        if len(text) != HASH_LENGTHS[key] or not re.fullmatch(r"[0-9A-Fa-f]+", text):
            raise BadValueError(f"{text!r} is not an {algorithm} hash ({HASH_LENGTHS[key]} hexadecimal digits)")
        return text.lower()
    return text


def port_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadValueError(f"{value!r} is not a port number (0-65535)")
    try:
        number = int(value)
    except ValueError:
        raise BadValueError(f"{value!r} is not a port number (0-65535)") from None
    if not 0 <= number <= 65535:
        raise BadValueError(f"{value!r} is not a port number (0-65535)")
    return number


def as_number(value: object) -> int:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    text = re.sub(r"^(?i:AS)", "", text)
    if not text.isdigit() or not 0 <= int(text) <= 4294967295:
        raise BadValueError(f"{value!r} is not an AS number")
    return int(text)


def canonical_email(value: object) -> str:
    text = _text(value, "the e-mail address")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in text):
        raise BadValueError(f"{text!r} is not an e-mail address")
    return text


MAX_DEPTH = 64  # real STIX objects and MISP attributes nest a few levels; deeper ones are refused


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether the (parsed JSON) value nests lists and objects more than ``limit`` levels deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def unicode_clean(value: Any) -> bool:
    """Whether every string in the (parsed JSON) value is valid Unicode (JSON allows unpaired surrogates)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except (ValueError, TypeError, RecursionError):
        return False
    return True


def safe_raw(value: Any) -> str:
    """Canonical JSON of the value, with invalid Unicode escaped so that it can be stored."""
    try:
        text = json_text(value)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):
        return "(not shown: the record cannot be written as JSON)"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def load_json_document(source: Source, what: str) -> Any:
    """The file parsed as JSON, or :class:`SourceError` saying why it cannot be."""
    data = source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{source.name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte {exc.start:,}); "
            f"a {what} must be UTF-8 JSON"
        ) from None
    if not text.strip():
        raise SourceError(f"{source.name}: the file is empty")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise SourceError(
                f"{source.name}: the JSON ends too early (line {exc.lineno}, column {exc.colno}): the file is "
                "truncated or incomplete"
            ) from None
        raise SourceError(
            f"{source.name}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise SourceError(f"{source.name}: not valid JSON: {exc}") from None
    except RecursionError:
        raise SourceError(f"{source.name}: the JSON is nested too deeply to be read") from None


# =============================================================================================
# STIX: tables
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


# =============================================================================================
# STIX: validation
# =============================================================================================


class RecordError(Exception):
    """Why an object (or one alternative of its pattern) cannot become an event."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?$")


def stix_timestamp(obj: Mapping[str, Any], prop: str) -> dt.datetime:
    """The STIX timestamp ``obj[prop]`` as an aware UTC datetime, or :class:`RecordError`."""
    value = obj.get(prop)
    if value is None:
        raise RecordError(prop, f"'{prop}' is missing")
    if not isinstance(value, str):
        raise RecordError(prop, f"'{prop}' must be a timestamp string, not {type(value).__name__}")
    match = _TIMESTAMP.match(value.strip())
    if not match:
        raise RecordError(prop, f"'{prop}' is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.sss]Z): {value!r}")
    zone = match.group(8)
    if zone is None:
        raise RecordError(prop, f"'{prop}' has no time zone: {value!r}; STIX timestamps are UTC and end with Z")
    if zone != "Z":
        raise RecordError(prop, f"'{prop}' has the zone {zone!r}: {value!r}; STIX timestamps are UTC and end with Z")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    if second == 60:  # a leap second
        second, micro = 59, 999_999
    try:
        return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=dt.UTC)
    except ValueError as exc:
        raise RecordError(prop, f"'{prop}' is not a valid date and time: {value!r} ({exc})") from None


def _sco_value_problem(obj: Mapping[str, Any]) -> RecordError | None:
    kind = obj.get("type")
    if kind not in SCO_VALUE_TYPES:
        return None
    try:
        _sco_value(kind, obj.get("value"))
    except BadValueError as exc:
        return RecordError("value", str(exc))
    return None


def _sco_value(kind: str, value: object) -> dict[str, Any]:
    """The event fields for the value of an address, domain or URL observable."""
    if kind in ("ipv4-addr", "ipv6-addr"):
        ip, network = ip_or_network(value, 4 if kind == "ipv4-addr" else 6)
        return {"source.ip": ip} if ip else {"source.network": network}
    if kind == "domain-name":
        return {"source.fqdn": canonical_fqdn(value)}
    return {"source.url": canonical_url(value)}


@functools.cache
def _validator() -> tuple[Any, bool, list[Callable[..., Any]]]:
    """stix2-validator's options, whether its schemas are installed, and its MUST checks."""
    import stix2validator
    from stix2validator import ValidationOptions
    from stix2validator.v21 import musts

    options = ValidationOptions(version="2.1", silent=True)
    schemas = Path(stix2validator.__file__).parent / "schemas-2.1" / "schemas"
    has_schemas = (schemas / "common" / "core.json").is_file()
    return options, has_schemas, musts.list_musts(options)


def validator_has_schemas() -> bool:
    return _validator()[1]


_QUOTED_PROPERTY = re.compile(r"'([a-z0-9_]{1,250})'")
_SCHEMA_PATH = re.compile(r"^([A-Za-z0-9_\[\].-]+): ")


def _field_of(message: str, obj: Mapping[str, Any]) -> str:
    """The property an error message of stix2-validator is about, when it can be told."""
    text = message
    prefix = f"{obj.get('id')}: "
    if text.startswith(prefix):
        text = text[len(prefix) :]
    match = _SCHEMA_PATH.match(text)
    if match:
        return match.group(1)
    if text.startswith("Pattern failed"):
        return "pattern"
    names: list[str] = _QUOTED_PROPERTY.findall(text)
    if names and "is a required property" in text:
        return names[0]
    for name in names:
        if name in obj:
            return name
    return ""


def validator_problems(obj: Mapping[str, Any]) -> tuple[list[RecordError], list[str]]:
    """stix2-validator's errors for one object (schemas and MUST checks, or the MUST checks alone),
    and notes on the checks that could not run."""
    options, has_schemas, checks = _validator()
    messages: list[str] = []
    notes: list[str] = []
    if has_schemas:
        from stix2validator import validate_instance

        try:
            result = validate_instance(dict(obj), options)
        except Exception as exc:  # the validator fails on some objects the object model accepts
            return [], [f"stix2-validator could not check the object: {type(exc).__name__}: {exc}"]
        messages = [str(error) for error in result.errors]
    else:
        for check in checks:
            # Like the validator itself: a check takes the object, or the object and the options.
            try:
                try:
                    found = check(obj)
                except TypeError:
                    found = check(obj, options)
                messages.extend(str(error.message) for error in (found or ()))
            except Exception as exc:  # a check can fail on objects the object model accepts
                notes.append(f"stix2-validator's check {check.__name__} could not run: {type(exc).__name__}: {exc}")
    return [RecordError(_field_of(message, obj), message) for message in messages], notes


def library_problem(obj: Mapping[str, Any], notes: list[str]) -> RecordError | None:
    """What the ``stix2`` object model finds wrong with the object (properties, types, pattern grammar)."""
    import stix2
    from stix2.exceptions import (
        DependentPropertiesError,
        InvalidValueError,
        MissingPropertiesError,
        MutuallyExclusivePropertiesError,
        STIXDeprecationWarning,
    )

    try:
        if obj.get("type") == "observed-data" and "objects" in obj:
            # The library warns that embedded objects are deprecated in STIX 2.1: the warning is
            # about the data, so it is kept as a note on the event instead of being raised.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", STIXDeprecationWarning)
                stix2.parse(dict(obj), allow_custom=True, version="2.1")
            notes.extend(str(w.message) for w in caught)
        else:
            stix2.parse(dict(obj), allow_custom=True, version="2.1")
    except InvalidValueError as exc:
        if exc.prop_name == "pattern":
            return RecordError("pattern", f"the pattern is malformed: {exc.reason}")
        return RecordError(str(exc.prop_name), str(exc))
    except MissingPropertiesError as exc:
        return RecordError(",".join(exc.properties), str(exc))
    except (MutuallyExclusivePropertiesError, DependentPropertiesError) as exc:
        return RecordError("", str(exc))
    except Exception as exc:  # the library raises many kinds of errors on malformed objects
        message = str(exc) or type(exc).__name__
        prop = getattr(exc, "prop_name", "")
        return RecordError(str(prop) if isinstance(prop, str) else "", f"not a valid STIX 2.1 object: {message}")
    return None


@dataclass
class Validation:
    problem: RecordError | None = None
    notes: list[str] = field(default_factory=list)  # checks that could not run, library notices


def validate_object(obj: Any) -> Validation:
    """Why the object is not valid STIX 2.1 (the first reason), and notes on the validation."""
    result = Validation()
    result.problem = _own_problem(obj)
    if result.problem is None:
        result.problem = library_problem(obj, result.notes)
    if result.problem is None:
        found, notes = validator_problems(obj)
        result.notes.extend(notes)
        result.problem = found[0] if found else None
    return result


def _own_problem(obj: Any) -> RecordError | None:
    if not isinstance(obj, dict):
        return RecordError("", f"an object of the bundle must be a JSON object, not {type(obj).__name__}")
    if not isinstance(obj.get("type"), str) or not obj.get("type"):
        return RecordError("type", "the object has no 'type'")
    if not isinstance(obj.get("id"), str) or not obj.get("id"):
        return RecordError("id", "the object has no 'id'")
    if obj["type"] == "bundle":
        return RecordError("type", "a bundle cannot contain a bundle")
    if too_deep(obj):
        return RecordError("", f"the object nests more than {MAX_DEPTH} levels deep")
    if not unicode_clean(obj):
        return RecordError("", "the object contains text that is not valid Unicode (an unpaired surrogate escape)")
    for prop in TIMESTAMPS:
        if prop in obj:
            try:
                stix_timestamp(obj, prop)
            except RecordError as problem:
                return problem
    confidence = obj.get("confidence")
    if "confidence" in obj and (isinstance(confidence, bool) or not isinstance(confidence, int)):
        return RecordError("confidence", f"'confidence' must be a whole number from 0 to 100, not {confidence!r}")
    if isinstance(confidence, int) and not 0 <= confidence <= 100:
        return RecordError("confidence", f"'confidence' must be from 0 to 100, not {confidence}")
    return _sco_value_problem(obj)


# =============================================================================================
# STIX: patterns
# =============================================================================================


@dataclass(frozen=True)
class Comparison:
    path: str  # "ipv4-addr:value", "file:hashes.SHA-256", "network-traffic:protocols[*]"
    operator: str  # "=", "ISSUBSET", or another operator (kept as text)
    value: Any
    text: str


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _constant(node: Any) -> Any:
    from stix2 import patterns

    if isinstance(node, patterns.StringConstant):
        return _unescape(str(node.value)) if not node.needs_to_be_quoted else str(node.value)
    return getattr(node, "value", None)


def _path_text(node: Any) -> str:
    from stix2 import patterns

    parts = []
    for component in node.property_path:
        if isinstance(component, patterns.ListObjectPathComponent):
            parts.append(f"{component.property_name}[{component.index}]")
        else:
            parts.append(str(component.property_name))
    return f"{node.object_type_name}:{'.'.join(parts)}"


def pattern_alternatives(pattern: str) -> tuple[list[list[Comparison]], list[str]]:
    """The pattern in disjunctive normal form: alternatives of comparisons, and the qualifiers met.

    Raises :class:`RecordError` (field ``pattern``) when the pattern does not parse or expands too much.
    """
    from stix2 import patterns
    from stix2.pattern_visitor import create_pattern_object

    try:
        tree = create_pattern_object(pattern, version="2.1")
    except Exception as exc:  # the ANTLR parser and the visitor raise various errors
        raise RecordError("pattern", f"the pattern is malformed: {str(exc) or type(exc).__name__}") from None
    qualifiers: list[str] = []

    def expand(node: Any) -> list[list[Comparison]]:
        if isinstance(node, patterns.ParentheticalExpression):
            return expand(node.expression)
        if isinstance(node, patterns.QualifiedObservationExpression):
            qualifiers.append(str(node.qualifier))
            return expand(node.observation_expression)
        if isinstance(node, patterns.ObservationExpression):
            return expand(node.operand)
        if isinstance(node, patterns.OrObservationExpression | patterns.OrBooleanExpression):
            result = [alternative for operand in node.operands for alternative in expand(operand)]
        elif isinstance(
            node,
            patterns.AndObservationExpression
            | patterns.AndBooleanExpression
            | patterns.FollowedByObservationExpression,
        ):
            result = [[]]
            for operand in node.operands:
                options = expand(operand)
                result = [left + right for left, right in itertools.product(result, options)]
                if len(result) > MAX_ALTERNATIVES:
                    break
        elif isinstance(node, patterns._ComparisonExpression):
            path = _path_text(node.lhs) if isinstance(node.lhs, patterns.ObjectPath) else str(node.lhs)
            operator = ("NOT " if node.negated else "") + str(node.operator)
            if isinstance(node, patterns.InComparisonExpression) and not node.negated:
                values = getattr(node.rhs, "value", [])
                result = [[Comparison(path, "=", _constant(v), f"{path} = {v}")] for v in values]
            else:
                result = [[Comparison(path, operator, _constant(node.rhs), str(node))]]
        else:
            raise RecordError("pattern", f"the pattern has a part cyberplan does not read: {node}")
        if len(result) > MAX_ALTERNATIVES:
            raise RecordError("pattern", f"the pattern expands to more than {MAX_ALTERNATIVES} alternatives")
        return result

    return expand(tree), qualifiers


KEY_EXTRA = ("malware.hash.", "file.name", "source.account", "destination.")


@dataclass
class Observable:
    fields: dict[str, Any] = field(default_factory=dict)  # event fields
    extra: dict[str, Any] = field(default_factory=dict)

    def set(self, name: str, value: Any, where: str) -> None:
        target = self.fields if name in FIELD_NAMES else self.extra
        current = target.get(name)
        if current is not None and current != value:
            raise RecordError("pattern", f"{where} gives {name} two values ({current!r} and {value!r}) in one event")
        target[name] = value

    @property
    def observed(self) -> bool:
        names = ("source.ip", "source.network", "source.fqdn", "source.url", "destination.ip", "destination.fqdn")
        return any(self.fields.get(n) is not None for n in names) or any(k.startswith(KEY_EXTRA) for k in self.extra)

    def key(self) -> list[str]:
        """The normalised values that identify the observable (part of the event key)."""
        values = dict(self.fields)
        values.update({k: v for k, v in self.extra.items() if k.startswith(KEY_EXTRA)})
        return [f"{k}={v}" for k, v in sorted(values.items())]


def _set_protocol(observable: Observable, value: object, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise BadValueError(f"{value!r} is not a protocol name")
    name = value.strip().lower()
    if name in TRANSPORTS:
        observable.set("protocol.transport", name, where)
    elif name not in NETWORK_LAYER:
        observable.set("protocol.application", name, where)


def _host(value: object) -> tuple[str, str]:
    """An address or a domain name -> ("ip", canonical) or ("fqdn", canonical)."""
    if isinstance(value, str):
        with contextlib.suppress(BadValueError):  # not an address: read it as a domain name
            return "ip", canonical_ip(value)
    return "fqdn", canonical_fqdn(value)


def observable_from_comparisons(comparisons: list[Comparison]) -> Observable:
    """One event's observable from the comparisons of one alternative; :class:`RecordError` if none maps."""
    observable = Observable()
    unmapped: list[str] = []
    for comparison in comparisons:
        path, value, where = comparison.path, comparison.value, comparison.text
        try:
            if comparison.operator == "ISSUBSET" and path in ("ipv4-addr:value", "ipv6-addr:value"):
                ip, network = ip_or_network(value, 4 if path.startswith("ipv4") else 6)
                observable.set("source.network", network or ip, where)
            elif comparison.operator != "=":
                unmapped.append(where)
                continue
            elif path in ("ipv4-addr:value", "ipv6-addr:value", "domain-name:value", "url:value"):
                for name, mapped in _sco_value(path.split(":")[0], value).items():
                    observable.set(name, mapped, where)
            elif path.startswith("file:hashes."):
                algorithm = path.removeprefix("file:hashes.").strip("'")
                observable.set(f"malware.hash.{hash_key(algorithm)}", canonical_hash(algorithm, value), where)
            elif path == "file:name":
                observable.set("file.name", _text(value, "the file name"), where)
            elif path == "email-addr:value":
                observable.set("source.account", canonical_email(value), where)
            elif path in ("network-traffic:src_ref.value", "network-traffic:dst_ref.value"):
                side = "source" if path.startswith("network-traffic:src") else "destination"
                kind, host = _host(value)
                observable.set(f"{side}.{kind}", host, where)
            elif path in ("network-traffic:src_port", "network-traffic:dst_port"):
                side = "source" if "src_port" in path else "destination"
                observable.set(f"{side}.port", port_number(value), where)
            elif re.fullmatch(r"network-traffic:protocols\[(\*|\d+)\]", path):
                _set_protocol(observable, value, where)
            elif path in ("network-traffic:src_ref.type", "network-traffic:dst_ref.type"):
                continue  # says which kind of address the other comparison holds
            else:
                unmapped.append(where)
                continue
        except BadValueError as exc:
            raise RecordError("pattern", f"{where}: {exc}") from None
    if not observable.observed:
        raise RecordError(
            "pattern",
            "no comparison cyberplan maps (addresses, domain names, URLs, file hashes, e-mail addresses, network "
            "traffic) in: " + " AND ".join(c.text for c in comparisons),
        )
    if unmapped:
        observable.extra["pattern.unmapped"] = unmapped
    return observable


# =============================================================================================
# STIX: the bundle and its events
# =============================================================================================


@dataclass
class Context:
    """What the events are built from: the valid objects of the bundle, by id."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    markings: dict[str, str] = field(default_factory=dict)  # marking-definition id -> TLP
    malware_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # indicator id -> malware objects
    indicator_observables: dict[str, list[Observable]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # object id -> validation notes

    def add(self, obj: dict[str, Any], notes: list[str]) -> None:
        self.objects[obj["id"]] = obj
        if notes:
            self.notes[obj["id"]] = notes
        if obj["type"] == "marking-definition":
            level = marking_tlp(obj)
            if level:
                self.markings[obj["id"]] = level

    def link(self) -> None:
        for obj in self.objects.values():
            if obj["type"] == "relationship" and obj.get("relationship_type") == "indicates":
                target = self.objects.get(str(obj.get("target_ref")))
                if target is not None and target["type"] == "malware":
                    self.malware_of.setdefault(str(obj.get("source_ref")), []).append(target)

    def tlp(self, *objects: Mapping[str, Any]) -> str | None:
        """The most restrictive TLP of the objects' markings and ``tlp:`` labels, or None."""
        levels = []
        for obj in objects:
            for ref in _strings(obj.get("object_marking_refs")):
                levels.append(self.markings.get(ref) or TLP_MARKINGS.get(ref))
            levels += [tlp_level(label) for label in _strings(obj.get("labels")) if label.lower().startswith("tlp:")]
        return most_restrictive(levels)

    def provider(self, obj: Mapping[str, Any]) -> str | None:
        identity = self.objects.get(str(obj.get("created_by_ref")))
        name = identity.get("name") if identity and identity["type"] == "identity" else None
        return (name.strip() or None) if isinstance(name, str) else None

    def names(self, refs: object) -> list[str]:
        result = []
        for ref in _strings(refs):
            target = self.objects.get(ref)
            name = target.get("name") if target else None
            result.append(name if isinstance(name, str) and name else ref)
        return result


def marking_tlp(obj: Mapping[str, Any]) -> str | None:
    if obj.get("id") in TLP_MARKINGS:
        return TLP_MARKINGS[str(obj["id"])]
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and isinstance(extensions.get(TLP2_EXTENSION), dict):
        level = tlp_level(extensions[TLP2_EXTENSION].get("tlp_2_0"))
        if level:
            return level
    definition = obj.get("definition")
    if obj.get("definition_type") == "tlp" and isinstance(definition, dict):
        level = tlp_level(definition.get("tlp"))
        if level:
            return level
    return tlp_level(obj.get("name"))


def _external_ids(obj: Mapping[str, Any]) -> list[str]:
    result = []
    references = obj.get("external_references")
    for reference in references if isinstance(references, list) else []:
        if not isinstance(reference, dict):
            continue
        source = reference.get("source_name")
        if reference.get("external_id"):
            result.append(f"{source}:{reference['external_id']}")
        elif reference.get("url"):
            result.append(str(reference["url"]))
    return result


def _common_extra(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "stix.id": obj.get("id"),
        "stix.type": obj.get("type"),
        "name": obj.get("name"),
        "description": obj.get("description"),
        "confidence": obj.get("confidence"),
        "labels": obj.get("labels"),
        "external_ids": _external_ids(obj),
    }


def _tag_classes(obj: Mapping[str, Any]) -> list[tuple[str, str] | None]:
    return [rsit_from_machine_tag(label) for label in _strings(obj.get("labels"))]


def _malware_names(malware: list[dict[str, Any]]) -> list[str]:
    names = {str(m.get("name")).strip().lower() for m in malware if isinstance(m.get("name"), str) and m.get("name")}
    return sorted(names)


class BundleMapper:
    def __init__(self, stager: RowStager, context: Context) -> None:
        self.stager = stager
        self.context = context

    def event(
        self,
        obj: Mapping[str, Any],
        time_source: dt.datetime,
        observable: Observable | None,
        classification: tuple[str, str],
        malware: list[str],
        tlp: str | None,
        extra: Mapping[str, Any],
    ) -> None:
        record: dict[str, Any] = {
            "time.source": time_source,
            "feed.name": FEED_NAME,
            "feed.provider": self.context.provider(obj),
            "classification.taxonomy": classification[0],
            "classification.type": classification[1],
            "tlp": tlp,
            "raw": json_text(obj),
        }
        if malware:
            record["malware.name"] = malware[0]
            record["classification.identifier"] = malware[0]
        values = dict(_common_extra(obj))
        values["validation.notes"] = self.context.notes.get(str(obj["id"]))
        values.update(extra)
        if len(malware) > 1:
            values["malware.names"] = malware
        key = [str(obj["id"])]
        if observable is not None:
            record.update(observable.fields)
            values.update(observable.extra)
            key += observable.key()
        record["extra"] = compact_extra(values)
        record["event_key"] = "|".join(key)
        self.stager.add(record)

    def reject(self, index: int, obj: Mapping[str, Any], problem: RecordError) -> None:
        self.stager.reject(line=index, field=problem.field, reason=problem.reason, raw=json_text(obj))

    # -- indicators ------------------------------------------------------------------------------

    def indicator_observables(self, obj: Mapping[str, Any]) -> tuple[list[Observable], list[RecordError], list[str]]:
        """The observables of an indicator's pattern, the problems of the alternatives that cannot be
        mapped, and the pattern's qualifiers."""
        known = self.context.indicator_observables.get(str(obj["id"]))
        if obj.get("pattern_type") != "stix":
            problem = RecordError(
                "pattern_type", f"pattern_type {obj.get('pattern_type')!r} is not mapped; only STIX patterns are"
            )
            return [], [problem], []
        pattern = obj.get("pattern")
        if not isinstance(pattern, str):
            return [], [RecordError("pattern", "the indicator has no pattern")], []
        try:
            alternatives, qualifiers = pattern_alternatives(pattern)
        except RecordError as problem:
            return [], [problem], []
        observables: list[Observable] = []
        problems: list[RecordError] = []
        for comparisons in alternatives:
            try:
                observables.append(observable_from_comparisons(comparisons))
            except RecordError as problem:
                problems.append(problem)
        if known is None:
            self.context.indicator_observables[str(obj["id"])] = observables
        return observables, problems, qualifiers

    def indicator_class(self, obj: Mapping[str, Any]) -> tuple[str, str]:
        malware = self.context.malware_of.get(str(obj["id"]), [])
        malware_types = [MALWARE_TYPES.get(t.lower()) for m in malware for t in _strings(m.get("malware_types"))]
        return classify(
            _tag_classes(obj),
            _words(_strings(obj.get("indicator_types"))),
            _words(_strings(obj.get("labels"))),
            malware_types,
        )

    def map_indicator(self, index: int, obj: Mapping[str, Any]) -> None:
        time_source = stix_timestamp(obj, "valid_from")
        observables, problems, qualifiers = self.indicator_observables(obj)
        for problem in problems:
            self.reject(index, obj, problem)
        malware = _malware_names(self.context.malware_of.get(str(obj["id"]), []))
        extra = {
            "indicator_types": obj.get("indicator_types"),
            "pattern": obj.get("pattern"),
            "pattern.qualifiers": qualifiers,
            "valid_until": obj.get("valid_until"),
        }
        classification = self.indicator_class(obj)
        tlp = self.context.tlp(obj)
        for observable in observables:
            self.event(obj, time_source, observable, classification, malware, tlp, extra)

    # -- observed data ---------------------------------------------------------------------------

    def map_observed_data(self, index: int, obj: Mapping[str, Any]) -> None:
        time_source = stix_timestamp(obj, "first_observed")
        embedded = obj.get("objects")
        refs = _strings(obj.get("object_refs"))
        scos: dict[str, dict[str, Any]] = {}
        if isinstance(embedded, dict) and embedded:
            scos = {str(k): v for k, v in embedded.items() if isinstance(v, dict)}
            marked: list[Mapping[str, Any]] = [obj]
        else:
            scos = {ref: self.context.objects[ref] for ref in refs if ref in self.context.objects}
            marked = [obj, *scos.values()]
        observables, unmapped = self.sco_observables(scos)
        if not observables:
            if scos:
                kinds = ", ".join(sorted({str(s.get("type")) for s in scos.values()}))
                reason = f"no observable cyberplan maps (object types: {kinds})"
            else:
                reason = "none of the objects it refers to is a valid object of the bundle"
            raise RecordError("object_refs" if refs else "objects", reason)
        extra = {
            "number_observed": obj.get("number_observed"),
            "last_observed": obj.get("last_observed"),
            "unmapped_objects": unmapped,
            "missing_refs": [ref for ref in refs if ref not in scos],
        }
        classification = classify(_tag_classes(obj), _words(_strings(obj.get("labels"))))
        tlp = self.context.tlp(*marked)
        for observable in observables:
            self.event(obj, time_source, observable, classification, [], tlp, extra)

    def sco_observables(self, scos: Mapping[str, dict[str, Any]]) -> tuple[list[Observable], list[str]]:
        """Observables from the cyber observables of one observed-data, and the types left unmapped."""
        consumed: set[str] = set()
        observables: list[Observable] = []

        def where(ref: str) -> str:
            return ref if "--" in ref else f"objects.{ref}"

        def address(observable: Observable, ref: object, side: str, at: str) -> None:
            target = scos.get(ref) if isinstance(ref, str) else None
            if target is None or target.get("type") not in ("ipv4-addr", "ipv6-addr", "domain-name"):
                return
            consumed.add(str(ref))
            for name, value in _sco_value(str(target["type"]), target.get("value")).items():
                observable.set(name.replace("source.", f"{side}.", 1), value, at)

        try:
            for ref, sco in scos.items():  # network traffic first: it takes the addresses it refers to
                if sco.get("type") != "network-traffic":
                    continue
                observable = Observable()
                address(observable, sco.get("src_ref"), "source", where(ref))
                address(observable, sco.get("dst_ref"), "destination", where(ref))
                for side, prop in (("source", "src_port"), ("destination", "dst_port")):
                    if sco.get(prop) is not None:
                        observable.set(f"{side}.port", port_number(sco[prop]), where(ref))
                for protocol in _strings(sco.get("protocols")):
                    _set_protocol(observable, protocol, where(ref))
                consumed.add(ref)
                if observable.observed:
                    observables.append(observable)
            for ref, sco in scos.items():  # names with the addresses they resolve to
                resolved = [r for r in _strings(sco.get("resolves_to_refs")) if r in scos]
                if sco.get("type") != "domain-name" or ref in consumed or not resolved:
                    continue
                observable = Observable()
                observable.set("source.fqdn", canonical_fqdn(sco.get("value")), where(ref))
                consumed.add(ref)
                for target_ref in resolved:
                    target = scos[target_ref]
                    if target.get("type") in ("ipv4-addr", "ipv6-addr"):
                        consumed.add(target_ref)
                        ip, network = ip_or_network(target.get("value"))
                        if ip and "source.ip" not in observable.fields:
                            observable.set("source.ip", ip, where(ref))
                        else:
                            observable.extra.setdefault("resolves_to", []).append(ip or network)
                observables.append(observable)
            unmapped: set[str] = set()
            for ref, sco in scos.items():  # everything else, one event each
                if ref in consumed:
                    continue
                kind = str(sco.get("type"))
                observable = Observable()
                if kind in SCO_VALUE_TYPES:
                    observable.fields.update(_sco_value(kind, sco.get("value")))
                elif kind == "file":
                    hashes = sco.get("hashes")
                    for algorithm, value in sorted(hashes.items()) if isinstance(hashes, dict) else []:
                        observable.set(
                            f"malware.hash.{hash_key(str(algorithm))}",
                            canonical_hash(str(algorithm), value),
                            where(ref),
                        )
                    if isinstance(sco.get("name"), str) and sco["name"]:
                        observable.set("file.name", sco["name"], where(ref))
                elif kind == "email-addr":
                    observable.set("source.account", canonical_email(sco.get("value")), where(ref))
                if observable.observed:
                    observables.append(observable)
                else:
                    unmapped.add(kind)
        except BadValueError as exc:
            raise RecordError("objects" if any("--" not in r for r in scos) else "object_refs", str(exc)) from None
        return observables, sorted(unmapped)

    # -- sightings and incidents -----------------------------------------------------------------

    def map_sighting(self, index: int, obj: Mapping[str, Any]) -> None:
        time_source = stix_timestamp(obj, "first_seen" if obj.get("first_seen") is not None else "created")
        target = self.context.objects.get(str(obj.get("sighting_of_ref")))
        extra = {
            "sighting.count": obj.get("count"),
            "sighting_of_ref": obj.get("sighting_of_ref"),
            "last_seen": obj.get("last_seen"),
            "where_sighted": self.context.names(obj.get("where_sighted_refs")),
            "observed_data_refs": obj.get("observed_data_refs"),
        }
        observables: list[Observable] = []
        malware: list[str] = []
        classification = classify(_tag_classes(obj))
        tlp = self.context.tlp(obj, target) if target is not None else self.context.tlp(obj)
        if target is not None and target["type"] == "indicator":
            observables = self.indicator_observables(target)[0]
            malware = _malware_names(self.context.malware_of.get(str(target["id"]), []))
            classification = classify([classification], [self.indicator_class(target)])
            extra["indicator.name"] = target.get("name")
        elif target is not None and target["type"] == "malware":
            malware = _malware_names([target])
        carried: list[Observable | None] = [*observables] or [None]  # no observable: one event all the same
        for observable in carried:
            self.event(obj, time_source, observable, classification, malware, tlp, extra)

    def map_incident(self, index: int, obj: Mapping[str, Any]) -> None:
        incident_types: list[str] = []
        extensions = obj.get("extensions")
        for extension in extensions.values() if isinstance(extensions, dict) else []:
            if isinstance(extension, dict):
                incident_types += _strings(extension.get("incident_types")) + _strings(extension.get("incident_type"))
        classification = classify(_tag_classes(obj), _words(_strings(obj.get("labels"))), _words(incident_types))
        extra = {"incident_types": incident_types}
        self.event(obj, stix_timestamp(obj, "created"), None, classification, [], self.context.tlp(obj), extra)


MAPPERS = {
    "indicator": BundleMapper.map_indicator,
    "observed-data": BundleMapper.map_observed_data,
    "sighting": BundleMapper.map_sighting,
    "incident": BundleMapper.map_incident,
}

_BUNDLE_HEAD = re.compile(rb'"type"\s*:\s*"bundle"|"id"\s*:\s*"bundle--')
_MISP_HEAD = re.compile(rb'"Event"\s*:\s*\{')


def read_bundle(source: Source, options: ImportOptions) -> list[Any]:
    """The bundle's objects, or :class:`SourceError`."""
    document = load_json_document(source, "STIX bundle")
    if not isinstance(document, dict) or document.get("type") != "bundle":
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise SourceError(f'{source.name}: not a STIX bundle (a JSON object with "type": "bundle"; found {found!r})')
    objects = document.get("objects", [])
    if not isinstance(objects, list):
        raise SourceError(f'{source.name}: the bundle\'s "objects" is not a list')
    if len(objects) > options.max_objects:
        raise SourceError(
            f"{source.name}: the bundle has {len(objects):,} objects; the limit is {options.max_objects:,} "
            "(split the bundle, or raise the limit)"
        )
    return objects


@register
class StixImporter(Importer):
    format = "stix"
    label = "STIX 2.1 bundle"

    @classmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and bool(_BUNDLE_HEAD.search(head)) and not _MISP_HEAD.search(head)

    def stage(self, con: duckdb.DuckDBPyConnection, source: Source, options: ImportOptions) -> int:
        objects = read_bundle(source, options)
        stager = RowStager(con, source)
        context = Context()
        valid: list[tuple[int, dict[str, Any]]] = []
        # Progress: each object counts once when it is checked and once when it is mapped.
        counter = Counter(2 * len(objects))
        for index, obj in enumerate(objects):
            counter.advance()
            validation = validate_object(obj)
            if validation.problem is not None:
                problem = validation.problem
                stager.reject(line=index, field=problem.field, reason=problem.reason, raw=safe_raw(obj))
                continue
            context.add(obj, validation.notes)
            valid.append((index, obj))
        context.link()
        mapper = BundleMapper(stager, context)
        counter.advance(len(objects) - len(valid))  # the rejected ones are not mapped
        for index, obj in valid:
            counter.advance()
            map_object = MAPPERS.get(obj["type"])
            if map_object is None:
                continue
            try:
                map_object(mapper, index, obj)
            except RecordError as problem:
                mapper.reject(index, obj, problem)
        return stager.finish()


__all__ = [
    "Context",
    "StixImporter",
    "classify",
    "load_json_document",
    "most_restrictive",
    "pattern_alternatives",
    "rsit_from_machine_tag",
    "tlp_level",
    "validate_object",
]
