"""VERIS incident records (schema 1.3.x and 1.4.x): one event per incident.

Input
    One file holding a single incident (a JSON object), a JSON array of incidents, or JSON Lines
    (one incident per line). ``line`` of a reject is the 1-based position of the incident in the
    array (1 for a single-incident file), or the 1-based line number in a JSON Lines file. A file
    that is not UTF-8, not JSON (truncated, damaged), empty, or holds more than
    ``ImportOptions.max_objects`` incidents raises :class:`SourceError`; one bad incident never
    stops the others.

Validation
    Against the VERIS Community Schema 1.4.1 shipped in ``cyberplan/pipeline/data/veris/`` (see
    SOURCE.md there), with :mod:`jsonschema` (draft 4). An incident that does not validate is
    rejected: ``field`` is the JSON path of the first problem (``timeline.incident.year``,
    ``action.hacking.variety[0]``), ``reason`` says what is wrong. Records are read by the
    version they declare:

    * ``1.4``, ``1.4.x``: the 1.4.1 schema as it is.
    * ``1.3``, ``1.3.x``: the 1.4.1 schema with the 1.3 rules of :data:`LEGACY_SCHEMA_RULES`
      (``summary``, ``asset.cloud`` and ``victim.government`` optional, ``asset.governance``
      allowed), after renaming the 1.3 values of :data:`LEGACY_VALUE_RENAMES` to their 1.4 names
      and turning the 1.3 ``discovery_method`` string (``"Ext - customer"``) into the 1.4 object
      (``{"external": {"variety": ["Customer"]}}``).
    * anything else: rejected (field ``schema_version``).

    Harmless quirks are normalised and listed in ``extra.normalised``: a version spelled
    ``1_3_2``, and the 1.3 renames above. Problems inside ``plus`` (the schema's extension
    section, where VCDB keeps its own fields such as ``credit_monitoring`` and ``Y``/``N``
    answers) never reject an incident; they are listed in ``extra.tolerated``. The stored ``raw``
    is always the incident exactly as it was in the file.

Mapping (one event per incident)
    ``time.source``
        ``timeline.incident`` at 00:00 UTC: year, month and day with ``time.precision`` = day;
        year and month (day 1) = month; year only, or a day without a month (January 1) = year.
        The incident's local ``time`` is kept in ``extra.incident_time`` (VERIS gives no zone).
    ``classification.*``
        :data:`ACTION_RSIT` gives the RSIT class of every action variety; when an incident has
        several, the class ranked highest in :data:`RSIT_PRIORITY` wins (ties:
        :data:`VARIETY_PREFERENCE`, then the order of :data:`ACTION_CATEGORIES` and of the
        record). ``classification.identifier`` is ``<action>-<variety>`` of the winner
        (``hacking-brute-force``, ``malware-ransomware``, ``error-misdelivery``), or ``unknown``.
        Every action is listed in ``extra.actions``; ``malware.name`` is ``action.malware.name``
        in lower case.
    ``victim.*``
        ``victim.country`` is the first of ``victim.country`` (``Unknown`` gives NULL; all are in
        ``extra.victim_countries`` when there are several). ``victim.sector`` comes from the NAICS
        code in ``victim.industry`` by :data:`NAICS_SECTORS` (longest matching prefix; ``00``,
        unknown or unmatched codes give NULL). ``victim.organisation`` is ``victim.victim_id``
        unless it is a placeholder (:data:`PLACEHOLDER_VICTIMS`).
    ``severity``
        The higher of :data:`RATING_SEVERITY` (``impact.overall_rating``) and
        :data:`RECORD_SEVERITY` (``attribute.confidentiality.data_total``, records exposed);
        ``unknown`` when neither is given. ``extra.severity_basis`` says which values were used.
    ``feed.*``
        ``feed.name`` is ``veris``; ``feed.provider`` is ``source_id`` (``vcdb``) or, without
        one, ``ImportOptions.feed_provider``. ``tlp`` is left to ``ImportOptions.tlp``.
    ``event_key``
        ``veris:`` + ``incident_id`` (trimmed, lower case), so importing an incident again,
        from any file, never stores it twice. A corrected record with the same id is a duplicate
        too: the first stored version stays.
    ``extra``
        summary, actions, actors, assets, data varieties, discovery method, reference,
        victim details, normalisation notes and a few ``plus`` fields (see :func:`_extra`).
        The timeline's durations, where the record gives a number with a unit of time, become
        hours: ``discovery_hours`` (compromise to discovery) and ``response_hours`` (discovery to
        containment, the time to respond the trends report counts). A unit without a number
        (``Months``: "some months") is kept as ``discovery_unit`` / ``containment_unit``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import duckdb
import jsonschema

from . import register
from .base import Importer, ImportOptions, RowStager, Source, SourceError, compact_extra, json_path, json_text

FEED_NAME = "veris"
SCHEMA_RESOURCE = ("veris", "verisc-merged.json")
SCHEMA_LABEL = "VERIS 1.4.1"

# -- versions --------------------------------------------------------------------------------------

VERSION_RE = re.compile(r"^1\.(?P<minor>[34])(?:\.\d+)?$")

# -- VERIS 1.3 compatibility -----------------------------------------------------------------------

#: How the 1.4.1 schema is adapted for records that declare 1.3.x, following the 1.3 test cases of
#: the VERIS repository: fields 1.4 made mandatory become optional, ``actor.external.country`` is
#: mandatory again, ``asset.governance`` (removed in 1.3.3) is allowed with its 1.3 values, the
#: incident's ``time`` is free text and ``victim.industry`` is any 2-6 digit code (``12``, ``31-33``).
#: Paths are dotted paths of schema properties ("" is the incident itself).
LEGACY_SCHEMA_RULES: Mapping[str, Mapping[str, Any]] = {
    "optional": {"": ("summary",), "asset": ("assets", "cloud"), "victim": ("government",)},
    "required": {"actor.external": ("country",)},
    "properties": {
        "asset.governance": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {
                "type": "string",
                "enum": [
                    "3rd party hosted",
                    "3rd party managed",
                    "3rd party owned",
                    "Internally isolated",
                    "Personally owned",
                    "Victim governed",
                    "Other",
                    "Unknown",
                ],
            },
        },
        "timeline.incident.time": {"type": "string", "minLength": 1},
        "victim.industry": {"type": "string", "minLength": 2, "maxLength": 6, "pattern": "^[0-9]{2}-?[0-9]{0,4}$"},
    },
}

#: 1.3 values renamed in later versions (VERIS 1.3.6 and 1.4.0 release notes), as
#: path of the list -> {old value: 1.4 value}.
LEGACY_VALUE_RENAMES: Mapping[tuple[str, ...], Mapping[str, str]] = {
    ("action", "hacking", "variety"): {
        "Use of backdoor or C2": "Backdoor",
        "MitM": "AitM",
        "Footprinting": "Profile host",
        "HTTP Response Splitting": "HTTP response splitting",
    },
    ("action", "hacking", "vector"): {"Backdoor or C2": "Backdoor"},
    ("action", "malware", "variety"): {"MitM": "AitM"},
    ("action", "malware", "vector"): {"Web drive-by": "Web application - drive-by"},
    ("action", "social", "vector"): {"Website": "Web application"},
}

#: 1.3 ``discovery_method`` prefixes -> the 1.4 branch.
LEGACY_DISCOVERY_PARENTS = {"Ext": "external", "Int": "internal", "Prt": "partner"}

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

#: ``plus`` fields copied to ``extra.plus`` when they hold a plain value.
PLUS_FIELDS = ("master_id", "dbir_year", "sub_source", "analysis_status", "created", "modified", "github")


# -- schema ----------------------------------------------------------------------------------------


@functools.cache
def load_schema() -> dict[str, Any]:
    """The shipped VERIS 1.4.1 schema."""
    resource = resources.files("cyberplan.pipeline.data")
    for part in SCHEMA_RESOURCE:
        resource = resource.joinpath(part)
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def legacy_schema() -> dict[str, Any]:
    """The 1.4.1 schema adapted by :data:`LEGACY_SCHEMA_RULES`, for records that declare 1.3.x."""
    schema = copy.deepcopy(load_schema())

    def node(path: str) -> dict[str, Any]:
        found = schema
        for part in path.split(".") if path else []:
            found = found["properties"][part]
        return found

    for path, names in LEGACY_SCHEMA_RULES["optional"].items():
        target = node(path)
        target["required"] = [name for name in target.get("required", []) if name not in names]
        if not target["required"]:
            del target["required"]
    for path, names in LEGACY_SCHEMA_RULES["required"].items():
        target = node(path)
        target["required"] = [*target.get("required", []), *(n for n in names if n not in target.get("required", []))]
    for path, definition in LEGACY_SCHEMA_RULES["properties"].items():
        parent, _, name = path.rpartition(".")
        node(parent)["properties"][name] = copy.deepcopy(definition)
    return schema


@functools.cache
def _validator(minor: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(load_schema() if minor == "4" else legacy_schema())


def allowed_values(*path: str) -> list[str]:
    """The enumeration the shipped schema gives for the list or field at ``path`` (for tests and docs)."""
    node: Any = load_schema()
    for part in path:
        node = node["properties"][part]
    if node.get("type") == "array":
        node = node["items"]
    return list(node.get("enum", []))


# -- reading the file ------------------------------------------------------------------------------


@dataclass
class _Item:
    line: int
    value: Any = None
    text: str | None = None  # the source text, for JSON Lines
    problem: str | None = None  # why the item could not be parsed


class _NotJsonError(ValueError):
    """The text is not JSON (raised by the JSON loading helpers)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJsonError(f"{name} is not a JSON value")


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_refuse_constant)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _read_items(source: Source, options: ImportOptions) -> list[_Item]:
    data = source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{source.name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "VERIS records are JSON in UTF-8"
        ) from None
    if not text.strip():
        raise SourceError(f"{source.name}: the file is empty")
    try:
        document = _loads(text)
    except RecursionError:
        raise SourceError(f"{source.name}: the JSON is nested too deeply to be a VERIS record") from None
    except _NotJsonError as exc:
        raise SourceError(f"{source.name}: not valid JSON ({exc})") from None
    except json.JSONDecodeError as exc:
        if _looks_like_json_lines(text):
            items = _json_lines(text)
        else:
            raise SourceError(
                f"{source.name}: not valid JSON, truncated or damaged ({exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}); expected a VERIS incident, an array of incidents or JSON Lines"
            ) from None
    else:
        if isinstance(document, dict):
            items = [_Item(line=1, value=document)]
        elif isinstance(document, list):
            items = [_Item(line=index, value=value) for index, value in enumerate(document, start=1)]
        else:
            raise SourceError(
                f"{source.name}: the file holds a JSON {_json_type(document)}; expected a VERIS incident "
                "(an object), an array of incidents or JSON Lines"
            )
    if not items:
        raise SourceError(f"{source.name}: the file holds no incident")
    if len(items) > options.max_objects:
        raise SourceError(
            f"{source.name}: the file holds {len(items):,} incidents; the limit is {options.max_objects:,}"
        )
    return items


def _physical_lines(text: str) -> Iterator[tuple[int, str]]:
    # Split on "\n" only: JSON strings may hold U+2028 and other characters str.splitlines() breaks on.
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.rstrip("\r")


def _looks_like_json_lines(text: str) -> bool:
    for _number, line in _physical_lines(text):
        if line.strip():
            try:
                return isinstance(_loads(line), dict)
            except (ValueError, RecursionError):
                return False
    return False


def _json_lines(text: str) -> list[_Item]:
    items = []
    for number, line in _physical_lines(text):
        if not line.strip():
            continue
        try:
            items.append(_Item(line=number, value=_loads(line), text=line))
        except RecursionError:
            items.append(_Item(line=number, text=line, problem="the JSON is nested too deeply"))
        except json.JSONDecodeError as exc:
            items.append(_Item(line=number, text=line, problem=f"not valid JSON ({exc.msg} at column {exc.colno})"))
        except _NotJsonError as exc:
            items.append(_Item(line=number, text=line, problem=f"not valid JSON ({exc})"))
    return items


# -- validation ------------------------------------------------------------------------------------


class _RejectedError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: jsonschema.ValidationError) -> tuple[str, str]:
    """The JSON path and a readable reason for one schema error."""
    path = list(error.absolute_path)
    kind = error.validator
    instance = error.instance
    if kind == "required" and isinstance(instance, dict):
        named = re.match(r"^'(.*)' is a required property$", error.message)
        missing = [name for name in error.validator_value if name not in instance]
        name = named.group(1) if named else (missing[0] if missing else "")
        return json_path([*path, name]), "missing: the VERIS schema requires this field"
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        unexpected = sorted(name for name in instance if name not in known)
        name = unexpected[0] if unexpected else ""
        if path == ["action"]:
            return json_path([*path, name]), (
                f"{name!r} is not a VERIS action category (allowed: {', '.join(sorted(known))})"
            )
        return json_path([*path, name]), f"{name!r} is not a field of {json_path(path) or 'the incident'} in VERIS"
    if kind == "enum":
        allowed = list(error.validator_value)
        sample = ", ".join(str(value) for value in allowed[:6]) + (", …" if len(allowed) > 6 else "")
        return json_path(path), f"{_short(instance)} is not an allowed value ({len(allowed)} allowed: {sample})"
    if kind == "type":
        return json_path(path), f"expected {error.validator_value}, found {_json_type(instance)} {_short(instance)}"
    if kind == "minItems":
        return json_path(path), "empty list: give at least one value or leave the field out"
    if kind == "uniqueItems":
        return json_path(path), f"the list repeats a value: {_short(instance)}"
    if kind == "minProperties":
        return json_path(path), "empty object"
    if kind == "minLength":
        return json_path(path), "empty text" if instance == "" else f"{_short(instance)} is too short"
    if kind == "maxLength":
        return json_path(path), f"{_short(instance)} is too long"
    if kind == "minimum":
        return json_path(path), f"{instance} is below the minimum {error.validator_value}"
    if kind == "maximum":
        return json_path(path), f"{instance} is above the maximum {error.validator_value}"
    if kind == "pattern":
        return json_path(path), f"{_short(instance)} does not have the expected format"
    message = error.message if len(error.message) <= 200 else error.message[:199] + "…"
    return json_path(path), message


def _schema_problems(incident: dict[str, Any], minor: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(errors, tolerated): schema errors that reject the incident, and those inside ``plus``."""
    errors: list[tuple[str, str]] = []
    tolerated: list[str] = []
    found = sorted(
        _validator(minor).iter_errors(incident),
        key=lambda e: ([str(p) for p in e.absolute_path], str(e.validator)),
    )
    for error in found:
        field, reason = _describe(error)
        parts = list(error.absolute_path)
        if len(parts) >= 2 and parts[0] == "plus":
            tolerated.append(f"{field}: {reason}")
        else:
            errors.append((field, reason))
    return errors, tolerated


def _normalise_version(incident: dict[str, Any], notes: list[str]) -> str:
    """The declared version as ``1.x[.y]``; raises :class:`_RejectedError` when it is missing or unsupported."""
    if "schema_version" not in incident:
        raise _RejectedError("schema_version", "missing: the record does not say which VERIS version it follows")
    declared = incident["schema_version"]
    if not isinstance(declared, str):
        raise _RejectedError("schema_version", f'expected a string such as "1.3.2", found {_short(declared)}')
    version = declared.strip().removeprefix("v").replace("_", ".")
    if version != declared:
        notes.append(f"schema_version: {declared!r} read as {version!r}")
    if not VERSION_RE.match(version):
        raise _RejectedError(
            "schema_version",
            f"unsupported VERIS schema_version {_short(declared)}; this importer reads 1.3.x and 1.4.x",
        )
    incident["schema_version"] = version
    return version


def _upgrade_legacy(incident: dict[str, Any], notes: list[str]) -> None:
    """Rename 1.3 values to their 1.4 names in place (only where the shape is the expected one)."""
    action = incident.get("action")
    if isinstance(action, dict) and "Unknown" in action and "unknown" not in action:
        action["unknown"] = action.pop("Unknown")
        notes.append("action.Unknown: renamed action.unknown (1.4 name)")
    method = incident.get("discovery_method")
    if isinstance(method, str):
        converted = _discovery_object(method)
        if converted is not None:
            incident["discovery_method"] = converted
            notes.append(f"discovery_method: {method!r} read as {json_text(converted)} (1.4 form)")
    asset = incident.get("asset")
    if isinstance(asset, dict) and isinstance(asset.get("cloud"), str):
        notes.append(f"asset.cloud: {asset['cloud']!r} read as a list (1.4 form)")
        asset["cloud"] = [asset["cloud"]]
    for path, renames in LEGACY_VALUE_RENAMES.items():
        parent: Any = incident
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or not isinstance(parent.get(path[-1]), list):
            continue
        values = parent[path[-1]]
        renamed: list[Any] = []
        for value in values:
            new = renames.get(value) if isinstance(value, str) else None
            if new is None:
                renamed.append(value)
                continue
            notes.append(f"{'.'.join(path)}: {value!r} renamed {new!r} (1.4 name)")
            # Renaming must not create a duplicate the record did not have.
            if new not in values and new not in renamed:
                renamed.append(new)
        parent[path[-1]] = renamed


def _discovery_object(method: str) -> dict[str, Any] | None:
    text = method.strip()
    if text == "Other":
        return {"other": True}
    if text == "Unknown":
        return {"unknown": True}
    match = re.match(r"^(Ext|Int|Prt) - (.+)$", text)
    if not match:
        return None
    leaf = match.group(2).strip()
    return {LEGACY_DISCOVERY_PARENTS[match.group(1)]: {"variety": [leaf[:1].upper() + leaf[1:].lower()]}}


# -- mapping ---------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


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


def incident_time(incident: Mapping[str, Any]) -> tuple[dt.datetime, str]:
    """(time.source, time.precision) from ``timeline.incident``; raises :class:`_RejectedError` for a day
    that does not exist (the schema allows day 31 in every month)."""
    when = incident["timeline"]["incident"]
    year, month, day = when["year"], when.get("month"), when.get("day")
    if month is None:
        return dt.datetime(year, 1, 1, tzinfo=dt.UTC), "year"
    if day is None:
        return dt.datetime(year, month, 1, tzinfo=dt.UTC), "month"
    try:
        return dt.datetime(year, month, day, tzinfo=dt.UTC), "day"
    except ValueError:
        raise _RejectedError("timeline.incident.day", f"{year:04d}-{month:02d} has no day {day}") from None


def _text(value: Any) -> str | None:
    """A string value trimmed, or None when it is not a string or blank."""
    return value.strip() or None if isinstance(value, str) else None


def _section(parent: Mapping[str, Any], name: str) -> dict[str, Any]:
    """``parent[name]`` when it is an object, else an empty one."""
    value = parent.get(name)
    return value if isinstance(value, dict) else {}


def _labelled(section: Any) -> list[str]:
    """``category.variety`` of a section shaped like ``actor`` or ``discovery_method``."""
    labels: list[str] = []
    if not isinstance(section, dict):
        return labels
    for category, value in section.items():
        if isinstance(value, dict):
            varieties = _strings(value.get("variety"))
            labels.extend([f"{category}.{v}" for v in varieties] or [category])
        elif value is True:
            labels.append(category)
    return labels


#: Hours in one VERIS timeline unit (months and years as their mean length).
UNIT_HOURS = {
    "Seconds": 1 / 3600,
    "Minutes": 1 / 60,
    "Hours": 1.0,
    "Days": 24.0,
    "Weeks": 168.0,
    "Months": 730.5,
    "Years": 8766.0,
}


def _durations(timeline: Mapping[str, Any]) -> dict[str, Any]:
    """``discovery_hours`` and ``response_hours`` where the timeline gives a number and a unit of time."""
    result: dict[str, Any] = {}
    for phase, name in (("discovery", "discovery"), ("containment", "response")):
        span = timeline.get(phase)
        if not isinstance(span, dict):
            continue
        unit, value = span.get("unit"), span.get("value")
        if unit not in UNIT_HOURS:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            result[f"{name}_hours"] = round(float(value) * UNIT_HOURS[unit], 2)
        else:
            result[f"{phase}_unit"] = unit
    return result


def _extra(
    incident: Mapping[str, Any], original_version: Any, notes: list[str], tolerated: list[str]
) -> dict[str, Any]:
    victim = _section(incident, "victim")
    asset = _section(incident, "asset")
    confidentiality = _section(_section(incident, "attribute"), "confidentiality")
    attribute = _section(incident, "attribute")
    impact = _section(incident, "impact")
    action = _section(incident, "action")
    actors = _section(incident, "actor")
    countries = _strings(victim.get("country"))
    vectors = [
        f"{category}.{vector}"
        for category in ACTION_CATEGORIES
        if isinstance(action.get(category), dict)
        for vector in _strings(action[category].get("vector"))
    ]
    motives = sorted({m for a in actors.values() if isinstance(a, dict) for m in _strings(a.get("motive"))})
    actor_countries = sorted(
        {c for a in actors.values() if isinstance(a, dict) for c in _strings(a.get("country")) if c != "Unknown"}
    )
    cves = [
        action[category]["cve"]
        for category in ("hacking", "malware")
        if isinstance(action.get(category), dict) and isinstance(action[category].get("cve"), str)
    ]
    extra: dict[str, Any] = {
        "incident_id": incident.get("incident_id"),
        "schema_version": original_version,
        "security_incident": incident.get("security_incident"),
        "confidence": incident.get("confidence"),
        "summary": incident.get("summary"),
        "reference": incident.get("reference"),
        "campaign_id": incident.get("campaign_id"),
        "targeted": incident.get("targeted"),
        "actions": classify(action)[3],
        "action_vectors": vectors,
        "actors": _labelled(actors),
        "actor_motives": motives,
        "actor_countries": actor_countries,
        "cves": cves,
        "assets": [a["variety"] for a in asset.get("assets", []) if isinstance(a, dict) and "variety" in a],
        "asset_governance": _strings(asset.get("governance")),
        "attributes": sorted(k for k in ("confidentiality", "integrity", "availability") if k in attribute),
        "data_varieties": [
            d["variety"] for d in confidentiality.get("data", []) if isinstance(d, dict) and "variety" in d
        ],
        "data_total": confidentiality.get("data_total"),
        "data_disclosure": confidentiality.get("data_disclosure"),
        "discovery_method": _labelled(incident.get("discovery_method")),
        "discovery_notes": incident.get("discovery_notes"),
        "impact_rating": impact.get("overall_rating"),
        **_durations(_section(incident, "timeline")),
        "incident_time": incident["timeline"]["incident"].get("time"),
        "victim_countries": countries if len(countries) > 1 else None,
        "victim_industry": victim.get("industry"),
        "victim_employee_count": victim.get("employee_count"),
        "victim_state": victim.get("state"),
        "victim_government": _strings(victim.get("government")),
        "normalised": notes,
        "tolerated": tolerated,
        "plus": _plus(incident.get("plus")),
    }
    return extra


def _plus(plus: Any) -> dict[str, Any]:
    if not isinstance(plus, dict):
        return {}
    kept = {name: plus[name] for name in PLUS_FIELDS if isinstance(plus.get(name), (str, int, float))}
    timeline = plus.get("timeline")
    notification = timeline.get("notification") if isinstance(timeline, dict) else None
    if isinstance(notification, dict):
        parts = [notification.get(k) for k in ("year", "month", "day")]
        ints = [p for p in parts if isinstance(p, int) and not isinstance(p, bool)]
        if ints and ints == parts[: len(ints)]:
            kept["notification"] = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(ints))
    return kept


def map_incident(incident: Any) -> dict[str, Any]:
    """The event for one incident; raises :class:`_RejectedError` with the field and reason otherwise."""
    if not isinstance(incident, dict):
        raise _RejectedError("", f"a JSON {_json_type(incident)}, not a VERIS incident object")
    raw = json_text(incident)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise _RejectedError(
            "", "the record holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff): not Unicode text"
        ) from None
    original_version = incident.get("schema_version")
    record = copy.deepcopy(incident)
    notes: list[str] = []
    version = _normalise_version(record, notes)
    minor = VERSION_RE.match(version).group("minor")  # type: ignore[union-attr]  # _normalise_version only returns versions VERSION_RE matches
    if minor == "3":
        _upgrade_legacy(record, notes)
    errors, tolerated = _schema_problems(record, minor)
    if errors:
        # A missing year is the one problem the event cannot do without: name it first.
        errors.sort(key=lambda e: e[0] != "timeline.incident.year")
        field, reason = errors[0]
        if field == "timeline.incident.year" and reason.startswith("missing"):
            reason = "missing: the incident has no year, so it cannot be placed in time"
        more = "; ".join(f"{f}: {r}" for f, r in errors[1:3])
        if more:
            reason += f"; also {more}"
        if len(errors) > 3:
            reason += f" (+{len(errors) - 3} more)"
        schema = SCHEMA_LABEL if minor == "4" else f"{SCHEMA_LABEL} with the 1.3 compatibility rules"
        raise _RejectedError(field, f"{reason} [{schema}]")
    incident_id = record["incident_id"].strip()
    if not incident_id:
        raise _RejectedError("incident_id", "empty: every VERIS incident needs an identifier")
    time_source, precision = incident_time(record)
    taxonomy, type_, identifier, _ = classify(record["action"])
    victim = record.get("victim") or {}
    countries = _strings(victim.get("country"))
    country = countries[0] if countries and countries[0] != "Unknown" else None
    victim_id = victim.get("victim_id")
    organisation = (
        victim_id.strip()
        if isinstance(victim_id, str) and victim_id.strip().lower() not in PLACEHOLDER_VICTIMS
        else None
    )
    malware_name = _text(_section(record["action"], "malware").get("name"))
    severity, basis = severity_for(record)
    extra = _extra(record, original_version, notes, tolerated)
    extra["severity_basis"] = basis
    return {
        "time.source": time_source,
        "time.precision": precision,
        "classification.taxonomy": taxonomy,
        "classification.type": type_,
        "classification.identifier": identifier,
        "malware.name": malware_name.lower() if malware_name else None,
        "feed.name": FEED_NAME,
        "feed.provider": _text(record.get("source_id")),
        "victim.sector": sector_for(victim.get("industry")),
        "victim.organisation": organisation,
        "victim.country": country,
        "severity": severity,
        "extra": compact_extra(extra),
        "raw": raw,
        "event_key": f"veris:{incident_id.lower()}",
    }


def _reject_raw(item: _Item) -> str:
    if item.text is not None:
        return item.text
    try:
        text = json_text(item.value)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(item.value, ensure_ascii=True, sort_keys=True, separators=(",", ":"), default=str)
    except RecursionError:
        return "(too deeply nested to show)"


# -- the importer ----------------------------------------------------------------------------------


@register
class VerisImporter(Importer):
    format = "veris"
    label = "VERIS incident records (JSON)"

    @classmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if not text.startswith(("{", "[")) or '"schema_version"' not in text:
            return False
        return any(key in text for key in ('"action"', '"victim"', '"timeline"'))

    def stage(self, con: duckdb.DuckDBPyConnection, source: Source, options: ImportOptions) -> int:
        items = _read_items(source, options)
        stager = RowStager(con, source)
        for item in items:
            if item.problem is not None:
                stager.reject(line=item.line, field="", reason=item.problem, raw=_reject_raw(item))
                continue
            try:
                event = map_incident(item.value)
            except _RejectedError as rejected:
                stager.reject(line=item.line, field=rejected.field, reason=rejected.reason, raw=_reject_raw(item))
            except RecursionError:
                stager.reject(line=item.line, field="", reason="the record is nested too deeply", raw=_reject_raw(item))
            else:
                stager.add(event)
        return stager.finish()
