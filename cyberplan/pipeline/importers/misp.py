"""MISP events in the MISP core JSON format: one event per attribute that is an indicator.

Input
-----
``{"Event": {...}}`` (an export of one event), ``{"response": [{"Event": {...}}, ...]}`` (the
REST search API) or a list of events; an event may also be bare (PyMISP's ``to_json``).
Anything else, a file that is not UTF-8 JSON, a truncated file, or more attributes in all
than ``ImportOptions.max_objects`` is refused with :class:`SourceError`.

Records and validation
----------------------
A record is one attribute (of the event, or of one of its objects) that is an indicator:
``to_ids`` is true, or its type is a network type (``ip-src``, ``ip-dst``, ``ip-src|port``,
``ip-dst|port``, ``domain``, ``hostname``, ``domain|ip``, ``hostname|port``, ``url``, ``AS``)
whatever ``to_ids`` says. Other attributes (descriptions, comments, context) and deleted
attributes and objects are not records and give nothing. ``line`` in a reject is the
position of the event in the file (0-based); ``field`` is the JSON path inside the event,
such as ``Attribute[3].value`` or ``Object[1].Attribute[0].timestamp``. An item of the file
that is not an event, and an event or attribute nested more than 64 levels deep or holding
invalid Unicode (an unpaired surrogate escape), is a reject too.

Validation uses the JSON schema PyMISP ships, in its lax form (``pymisp/data/schema-lax.json``):
the strict ``schema.json`` forbids every property it does not list, and real MISP exports
carry many it does not (``Object``, ``EventReport``, ``first_seen``, ``object_relation``,
``Tag.local``, ...), so it would refuse ordinary events whole. The event without its
attributes and objects is validated once (a failure rejects the event, one reject); each
attribute is validated on its own (a failure rejects that attribute only). Validating the
attribute list as a whole would also be quadratic: the schema asks its items to be unique.
MISP writes numbers (``timestamp``, ``distribution``, ...) as strings, some tools as JSON
numbers: whole numbers are accepted and read as their text. Then each value is checked for
its type: an address that is not one (``ip-src`` ``999.1.1.1``), a port out of range, a
domain name, URL, e-mail address or hash that is not one is a reject with field
``Attribute[<index>].value``.

Mapping (to the IntelMQ field names of the event schema)
--------------------------------------------------------

==================================  ==========================================================
``ip-src`` / ``ip-dst``             ``source.ip`` / ``destination.ip`` (CIDR: ``source.network``
                                    / ``extra.destination.network``)
``ip-src|port`` / ``ip-dst|port``   address and ``source.port`` / ``destination.port``
``domain``, ``hostname``            ``source.fqdn`` (lower case, no final dot)
``domain|ip``                       ``source.fqdn`` and ``source.ip``
``hostname|port``                   ``source.fqdn`` and ``source.port``
``url``                             ``source.url``
``AS``                              ``source.asn``
``email-src`` / ``email-dst``       ``extra.source.account`` / ``extra.destination.account``
``email``, ``email-reply-to``       ``extra.email`` / ``extra.email.reply_to``
``md5``, ``sha1``, ``sha256``, ...  ``extra.malware.hash.<type>`` (lower case hexadecimal)
``filename|<hash>``                 ``extra.file.name`` and ``extra.malware.hash.<hash>``
``filename``                        ``extra.file.name``
any other type                      ``extra.misp.value``
==================================  ==========================================================

``time.source`` = the attribute's ``timestamp`` (epoch seconds), else the event's ``date``
(``time.precision`` = ``day``); ``feed.name`` = ``misp``; ``feed.provider`` = ``Orgc.name``;
``severity`` from the event's ``threat_level_id`` (1 high, 2 medium, 3 low, 4 unknown);
``raw`` = the attribute as canonical JSON; ``event_key`` = the attribute's ``uuid`` (an
attribute imported again, from this or another export of the event, is a duplicate);
``extra`` = the event's uuid and info, the attribute's category, type, comment, tags,
``first_seen``/``last_seen``, the object's name and uuid, and what the table above says.

Classification (RSIT): the first that gives a specific class, else ``other/other``:

1. ``rsit:<class>="<type>"`` or ``ecsirt:<class>="<type>"`` tags (eCSIRT.net names mapped to
   current RSIT names, see :data:`.stix.LEGACY_RSIT`), of the attribute, then of the event;
2. the attribute's MISP category (``CATEGORY_CLASSES``): ``Payload delivery`` ->
   malicious-code / malware-distribution; every other category (``Network activity``,
   ``Payload installation``, ``Artifacts dropped``, ``External analysis``, ``Financial
   fraud``, ...) -> other / other, as a category says where an attribute belongs in the
   event, not what happened.

TLP: ``tlp:`` tags (``tlp:white`` -> ``clear``, ``tlp:clear``, ``tlp:green``, ``tlp:amber``,
``tlp:amber+strict``, ``tlp:red``) of the attribute, else of the event, else the import's
default; several at one level: the most restrictive.

``malware.name`` (and ``classification.identifier``): the value of a malware galaxy tag
(``misp-galaxy:malpedia="Emotet"``, and the ``ransomware``, ``botnet``, ``rat``, ``banker``,
``stealer``, ``backdoor``, ``android``, ``mitre-malware`` galaxies), of the attribute, else
of the event, lower case. ``malware_classification:malware-category="..."`` tags name a
category (Ransomware, Trojan, ...), not a family: they go to ``extra.malware.category``.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
from jsonschema.exceptions import best_match

from . import register
from .base import Importer, ImportOptions, RowStager, Source, SourceError, compact_extra, json_path, json_text
from .progress import Counter
from .stix import (
    MAX_DEPTH,
    OTHER,
    BadValueError,
    as_number,
    canonical_email,
    canonical_fqdn,
    canonical_hash,
    canonical_ip,
    canonical_url,
    classify,
    hash_key,
    ip_or_network,
    load_json_document,
    most_restrictive,
    port_number,
    rsit_from_machine_tag,
    safe_raw,
    tlp_level,
    too_deep,
    unicode_clean,
)

FEED_NAME = "misp"

NETWORK_TYPES = frozenset(
    {"ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "domain", "hostname", "domain|ip", "hostname|port", "url", "AS"}
)

CATEGORY_CLASSES: dict[str, tuple[str, str]] = {
    "Payload delivery": ("malicious-code", "malware-distribution"),
    "Network activity": OTHER,
    "Payload installation": OTHER,
    "Artifacts dropped": OTHER,
    "Persistence mechanism": OTHER,
    "Antivirus detection": OTHER,
    "External analysis": OTHER,
    "Financial fraud": OTHER,
    "Internal reference": OTHER,
    "Targeting data": OTHER,
    "Attribution": OTHER,
    "Social network": OTHER,
    "Person": OTHER,
    "Support Tool": OTHER,
    "Other": OTHER,
}

SEVERITY = {"1": "high", "2": "medium", "3": "low", "4": "unknown"}

MALWARE_GALAXIES = frozenset(
    {"malpedia", "ransomware", "botnet", "rat", "banker", "stealer", "backdoor", "android", "mitre-malware"}
)

# Properties MISP writes as strings holding numbers; whole JSON numbers are read as their text.
NUMERIC_TEXT = frozenset(
    {
        "id",
        "event_id",
        "object_id",
        "orgc_id",
        "org_id",
        "timestamp",
        "publish_timestamp",
        "sighting_timestamp",
        "distribution",
        "sharing_group_id",
        "threat_level_id",
        "analysis",
        "attribute_count",
        "template_version",
    }
)

LIST_PARTS = ("Attribute", "Object", "ShadowAttribute", "RelatedEvent", "EventReport", "Sighting")


# -- schema ------------------------------------------------------------------------------------


@functools.cache
def load_schema(name: str = "schema-lax.json") -> dict[str, Any]:
    """A JSON schema from PyMISP's package data (read without importing PyMISP)."""
    spec = importlib.util.find_spec("pymisp")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError("PyMISP is not installed: its JSON schema is needed to validate MISP events")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / name
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@functools.cache
def validators(name: str = "schema-lax.json") -> tuple[jsonschema.protocols.Validator, jsonschema.protocols.Validator]:
    """Validators for an event without its attributes, and for one attribute."""
    schema = load_schema(name)
    event_schema = {key: value for key, value in schema.items() if key != "properties"}
    event_schema["$ref"] = "#/defs/event"
    attribute_schema = {key: value for key, value in schema.items() if key != "properties"}
    attribute_schema["$ref"] = "#/defs/attribute"
    cls = jsonschema.validators.validator_for(schema)
    return cls(event_schema), cls(attribute_schema)


def schema_problem(validator: jsonschema.protocols.Validator, value: Any, prefix: str) -> tuple[str, str] | None:
    """(JSON path, message) of the most relevant schema error, or None."""
    error = best_match(validator.iter_errors(value))
    if error is None:
        return None
    path = json_path([*([prefix] if prefix else []), *error.absolute_path])
    return path, error.message


def numbers_as_text(value: Any) -> Any:
    """MISP's numeric strings: whole JSON numbers in those properties become their text."""
    if isinstance(value, dict):
        return {
            k: (str(v) if k in NUMERIC_TEXT and isinstance(v, int) and not isinstance(v, bool) else numbers_as_text(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [numbers_as_text(v) for v in value]
    return value


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotAnEvent:
    """An item of the file that is neither ``{"Event": ...}`` nor a bare event."""

    value: Any


def _is_bare_event(value: Any) -> bool:
    return isinstance(value, dict) and "Event" not in value and any(k in value for k in ("Attribute", "Object", "info"))


def read_events(source: Source, options: ImportOptions) -> list[tuple[int, Any]]:
    """The events of the file with their positions (an item that is not an event is kept as is)."""
    document = load_json_document(source, "MISP event file")
    items: list[Any]
    if isinstance(document, dict) and "Event" in document:
        items = [document]
    elif isinstance(document, dict) and isinstance(document.get("response"), list):
        items = document["response"]
    elif isinstance(document, dict) and _is_bare_event(document):
        items = [document]
    elif isinstance(document, list):
        items = document
    else:
        raise SourceError(
            f'{source.name}: not a MISP event file: expected {{"Event": ...}}, {{"response": [...]}} or a list '
            "of events"
        )
    events = []
    total = 0
    for index, item in enumerate(items):
        if isinstance(item, dict) and "Event" in item:
            event = item["Event"]
        elif _is_bare_event(item):
            event = item
        else:
            event = NotAnEvent(item)
        events.append((index, event))
        if isinstance(event, dict):
            total += _attribute_count(event)
        if total > options.max_objects:
            raise SourceError(
                f"{source.name}: the file has more than {options.max_objects:,} attributes (the limit); split it "
                "or raise the limit"
            )
    return events


def _attribute_count(event: Mapping[str, Any]) -> int:
    attributes = event.get("Attribute")
    count = len(attributes) if isinstance(attributes, list) else 0
    objects = event.get("Object")
    for obj in objects if isinstance(objects, list) else []:
        inner = obj.get("Attribute") if isinstance(obj, dict) else None
        count += len(inner) if isinstance(inner, list) else 0
    return count


# -- tags --------------------------------------------------------------------------------------


def tag_names(holder: Mapping[str, Any]) -> list[str]:
    """Names of the tags of an event or attribute, with the tag names of its galaxy clusters."""
    names: list[str] = []
    tags = holder.get("Tag")
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            names.append(tag["name"])
    galaxies = holder.get("Galaxy")
    for galaxy in galaxies if isinstance(galaxies, list) else []:
        clusters = galaxy.get("GalaxyCluster") if isinstance(galaxy, dict) else None
        for cluster in clusters if isinstance(clusters, list) else []:
            name = cluster.get("tag_name") if isinstance(cluster, dict) else None
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


_GALAXY_TAG = re.compile(r'^misp-galaxy:([a-z0-9-]+)\s*=\s*"(.+)"$', re.IGNORECASE)
_CATEGORY_TAG = re.compile(r'^malware_classification:malware-category\s*=\s*"(.+)"$', re.IGNORECASE)


def malware_from_tags(tags: list[str]) -> str | None:
    for tag in tags:
        match = _GALAXY_TAG.match(tag.strip())
        if match and match.group(1).lower() in MALWARE_GALAXIES:
            name = re.sub(r"\s+-\s+S\d{4}$", "", match.group(2).strip())  # "Emotet - S0367" (MITRE)
            if name:
                return name.lower()
    return None


def malware_category(tags: list[str]) -> str | None:
    for tag in tags:
        match = _CATEGORY_TAG.match(tag.strip())
        if match:
            return match.group(1).strip()
    return None


def tlp_from_tags(tags: list[str]) -> str | None:
    return most_restrictive(tlp_level(tag) for tag in tags if tag.strip().lower().startswith("tlp:"))


# -- values ------------------------------------------------------------------------------------


@dataclass
class Mapped:
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _pair(value: str, right: bool = False) -> tuple[str, str]:
    """``a|b`` -> (a, b); split at the last ``|`` when ``right`` (an address may not hold one, a name may)."""
    if "|" not in value:
        raise BadValueError(f"{value!r} is not two values separated by '|'")
    left, _, last = value.rpartition("|") if right else value.partition("|")
    return left, last


def map_value(type_: str, value: str) -> Mapped:
    """The event fields and extra properties for one attribute value; :class:`BadValueError` if invalid."""
    mapped = Mapped()
    f, x = mapped.fields, mapped.extra
    if type_ in ("ip-src", "ip-dst"):
        ip, network = ip_or_network(value)
        side = "source" if type_ == "ip-src" else "destination"
        if ip:
            f[f"{side}.ip"] = ip
        elif side == "source":
            f["source.network"] = network
        else:
            x["destination.network"] = network
    elif type_ in ("ip-src|port", "ip-dst|port"):
        host, port = _pair(value, right=True)
        side = "source" if type_.startswith("ip-src") else "destination"
        f[f"{side}.ip"] = canonical_ip(host)
        f[f"{side}.port"] = port_number(port.strip())
    elif type_ in ("domain", "hostname"):
        f["source.fqdn"] = canonical_fqdn(value)
    elif type_ == "domain|ip":
        name, ip = _pair(value)
        f["source.fqdn"] = canonical_fqdn(name)
        f["source.ip"] = canonical_ip(ip)
    elif type_ == "hostname|port":
        name, port = _pair(value, right=True)
        f["source.fqdn"] = canonical_fqdn(name)
        f["source.port"] = port_number(port.strip())
    elif type_ == "url":
        f["source.url"] = canonical_url(value)
    elif type_ == "AS":
        f["source.asn"] = as_number(value)
    elif type_ == "email-src":
        x["source.account"] = canonical_email(value)
    elif type_ == "email-dst":
        x["destination.account"] = canonical_email(value)
    elif type_ in ("email", "email-reply-to"):
        x["email" if type_ == "email" else "email.reply_to"] = canonical_email(value)
    elif type_.startswith("filename|"):
        name, digest = _pair(value)
        algorithm = type_.partition("|")[2]
        if not name.strip():
            raise BadValueError(f"{value!r} has no file name")
        x["file.name"] = name
        x[f"malware.hash.{hash_key(algorithm)}"] = canonical_hash(algorithm, digest)
    elif re.fullmatch(r"md5|sha1|sha224|sha256|sha384|sha512|sha512/224|sha512/256|ssdeep|imphash|tlsh", type_):
        x[f"malware.hash.{hash_key(type_)}"] = canonical_hash(type_, value)
    elif type_ == "filename":
        x["file.name"] = value
    else:
        x["misp.value"] = value
    return mapped


def epoch(value: Any) -> dt.datetime:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text.isdigit():
        raise BadValueError(f"{value!r} is not a time in seconds since 1970")
    try:
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise BadValueError(f"{value!r} is out of the range of dates") from None


def event_date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


# -- mapping -----------------------------------------------------------------------------------


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class EventMapper:
    """Maps the attributes of one MISP event."""

    def __init__(self, stager: RowStager, line: int, event: dict[str, Any]) -> None:
        self.stager = stager
        self.line = line
        self.event = event
        self.tags = tag_names(event)
        orgc = event.get("Orgc")
        name = orgc.get("name") if isinstance(orgc, dict) else None
        self.provider = (name.strip() or None) if isinstance(name, str) else None
        self.date = event_date(event.get("date"))
        self.severity = SEVERITY.get(str(event.get("threat_level_id")))

    def reject(self, path: str, reason: str, raw: Any) -> None:
        self.stager.reject(line=self.line, field=path, reason=reason, raw=safe_raw(raw))

    def attributes(self) -> None:
        attributes = self.event.get("Attribute", [])
        for index, attribute in enumerate(attributes if isinstance(attributes, list) else []):
            self.attribute(f"Attribute[{index}]", attribute, None)
        objects = self.event.get("Object", [])
        for index, obj in enumerate(objects if isinstance(objects, list) else []):
            path = f"Object[{index}]"
            if not isinstance(obj, dict):
                self.reject(path, f"a MISP object must be a JSON object, not {type(obj).__name__}", obj)
                continue
            if obj.get("deleted") is True:
                continue
            inner = obj.get("Attribute", [])
            if not isinstance(inner, list):
                self.reject(f"{path}.Attribute", "the object's Attribute must be a list", obj)
                continue
            for position, attribute in enumerate(inner):
                self.attribute(f"{path}.Attribute[{position}]", attribute, obj)

    def attribute(self, path: str, attribute: Any, obj: Mapping[str, Any] | None) -> None:
        if not isinstance(attribute, dict):
            self.reject(path, f"an attribute must be a JSON object, not {type(attribute).__name__}", attribute)
            return
        if too_deep(attribute):
            self.reject(path, f"the attribute nests more than {MAX_DEPTH} levels deep", attribute)
            return
        if not unicode_clean(attribute):
            self.reject(
                path, "the attribute contains text that is not valid Unicode (an unpaired surrogate)", attribute
            )
            return
        original, attribute = attribute, numbers_as_text(attribute)
        problem = schema_problem(validators()[1], attribute, path)
        if problem is not None:
            self.reject(problem[0], f"invalid MISP attribute: {problem[1]}", original)
            return
        if attribute.get("deleted") is True:
            return
        type_, value = attribute.get("type"), attribute.get("value")
        if not isinstance(type_, str) or not type_:
            self.reject(f"{path}.type", "the attribute has no type", original)
            return
        if attribute.get("to_ids") is not True and type_ not in NETWORK_TYPES:
            return  # context, not an indicator
        if not isinstance(value, str) or not value.strip():
            self.reject(f"{path}.value", "the attribute has no value", original)
            return
        try:
            mapped = map_value(type_, value.strip())
        except BadValueError as exc:
            shown = "" if repr(value.strip()) in str(exc) else f" {value.strip()!r}"
            self.reject(f"{path}.value", f"not a valid {type_} value{shown}: {exc}", original)
            return
        when = self.attribute_time(path, attribute, original)
        if when is None:
            return
        self.stager.add(self.record(attribute, original, obj, type_, mapped, when))

    def attribute_time(
        self, path: str, attribute: Mapping[str, Any], original: Any
    ) -> tuple[dt.datetime, str | None] | None:
        """(time.source, time.precision): the attribute's timestamp, else the event's date; None after a reject."""
        if "timestamp" in attribute:
            try:
                return epoch(attribute["timestamp"]), None
            except BadValueError as exc:
                self.reject(f"{path}.timestamp", str(exc), original)
                return None
        if self.date is not None:
            return self.date, "day"
        reason = "the attribute has no timestamp and the event no valid date (YYYY-MM-DD)"
        self.reject(f"{path}.timestamp", reason, original)
        return None

    def record(
        self,
        attribute: Mapping[str, Any],
        original: Any,
        obj: Mapping[str, Any] | None,
        type_: str,
        mapped: Mapped,
        when: tuple[dt.datetime, str | None],
    ) -> dict[str, Any]:
        """The event of a valid attribute that maps to an observable."""
        time_source, precision = when
        tags = tag_names(attribute)
        category = attribute.get("category")
        classification = classify(
            [rsit_from_machine_tag(t) for t in tags],
            [rsit_from_machine_tag(t) for t in self.tags],
            [CATEGORY_CLASSES.get(category) if isinstance(category, str) else None],
        )
        malware = malware_from_tags(tags) or malware_from_tags(self.tags)
        record: dict[str, Any] = {
            "time.source": time_source,
            "time.precision": precision,
            "feed.name": FEED_NAME,
            "feed.provider": self.provider,
            "classification.taxonomy": classification[0],
            "classification.type": classification[1],
            "classification.identifier": malware,
            "malware.name": malware,
            "tlp": tlp_from_tags(tags) or tlp_from_tags(self.tags),
            "severity": self.severity,
            "raw": json_text(original),
            **mapped.fields,
        }
        extra = {
            "misp.event_uuid": self.event.get("uuid"),
            "misp.event_info": self.event.get("info"),
            "misp.category": category,
            "misp.type": type_,
            "misp.comment": attribute.get("comment"),
            "misp.tags": tags,
            "misp.event_tags": self.tags,
            "misp.object": _text_or_none(obj.get("name")) if obj else None,
            "misp.object_uuid": _text_or_none(obj.get("uuid")) if obj else None,
            "misp.object_relation": attribute.get("object_relation"),
            "to_ids": attribute.get("to_ids"),
            "first_seen": attribute.get("first_seen"),
            "last_seen": attribute.get("last_seen"),
            "malware.category": malware_category(tags) or malware_category(self.tags),
            **mapped.extra,
        }
        record["extra"] = compact_extra(extra)
        uuid = attribute.get("uuid")
        record["event_key"] = uuid.strip().lower() if isinstance(uuid, str) and uuid.strip() else None
        return record


_EVENT_HEAD = re.compile(rb'"Event"\s*:\s*\{')
_BARE_HEAD = re.compile(rb'"Attribute"\s*:\s*\[')
_TO_IDS = re.compile(rb'"to_ids"\s*:\s*(?:true|false)')
_BUNDLE_HEAD = re.compile(rb'"type"\s*:\s*"bundle"')


@register
class MispImporter(Importer):
    format = "misp"
    label = "MISP event (JSON)"

    @classmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith((b"{", b"[")) or _BUNDLE_HEAD.search(head):
            return False
        return bool(_EVENT_HEAD.search(head) or (_BARE_HEAD.search(head) and _TO_IDS.search(head)))

    def stage(self, con: duckdb.DuckDBPyConnection, source: Source, options: ImportOptions) -> int:
        events = read_events(source, options)
        stager = RowStager(con, source)
        event_validator = validators()[0]
        # Progress in attributes (an event without any counts as one).
        sizes = [max(1, _attribute_count(event)) if isinstance(event, dict) else 1 for _line, event in events]
        counter = Counter(sum(sizes))
        for (line, event), size in zip(events, sizes, strict=True):
            counter.advance(size)
            if isinstance(event, NotAnEvent):
                reason = 'not a MISP event: an item of the file must be {"Event": {...}} or an event'
                stager.reject(line=line, field="", reason=reason, raw=safe_raw(event.value))
                continue
            if not isinstance(event, dict):
                reason = f"not a MISP event: Event is a JSON {type(event).__name__}, not an object"
                stager.reject(line=line, field="Event", reason=reason, raw=safe_raw(event))
                continue
            shell = {k: v for k, v in event.items() if k not in LIST_PARTS}
            problem = None
            if too_deep(shell):
                problem = ("", f"the event nests more than {MAX_DEPTH} levels deep")
            elif not unicode_clean(shell):
                problem = ("", "the event contains text that is not valid Unicode (an unpaired surrogate)")
            else:
                shell = numbers_as_text(shell)
                problem = schema_problem(event_validator, shell, "")
            for part in ("Attribute", "Object"):
                if problem is None and part in event and not isinstance(event[part], list):
                    problem = (part, f"{part} must be a list")
            if problem is not None:
                stager.reject(
                    line=line, field=problem[0], reason=f"invalid MISP event: {problem[1]}", raw=safe_raw(event)
                )
                continue
            EventMapper(stager, line, shell | {k: event[k] for k in ("Attribute", "Object") if k in event}).attributes()
        return stager.finish()


__all__ = ["MispImporter", "load_schema", "map_value", "validators"]
