"""Checking each STIX object before it is mapped: timestamps, SCO values, the STIX validator's findings."""

from __future__ import annotations

import datetime as dt
import functools
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pattern_check, timestamp_check
from .values import MAX_DEPTH, BadValueError, canonical_fqdn, canonical_url, ip_or_network, too_deep, unicode_clean
from .vocabulary import SCO_VALUE_TYPES, TIMESTAMPS


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


def sco_value_problem(obj: Mapping[str, Any]) -> RecordError | None:
    """Why the value of an address, domain name or URL observable is not one (None for any other object)."""
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
    if has_schemas:
        _reuse_schema_validators()
        _skip_should_checks(options)
    return options, has_schemas, musts.list_musts(options)


def _skip_should_checks(options: Any) -> None:
    """Run none of stix2-validator's SHOULD checks when it validates with ``options`` (ours).

    Their findings are warnings, kept apart from the errors when the options are not strict (ours are not),
    and :func:`validator_problems` reads only the errors: the warnings were worked out and worded for every
    object only to be dropped, about a tenth of the time of validating an indicator. Other options (another
    caller's) keep every check.
    """
    import stix2validator.validator as library

    if options.strict or getattr(library, "_cyberplan_skips_shoulds", False):
        return
    get_shoulds = library._get_shoulds

    def shoulds_unless_ours(given: Any) -> Any:
        return [] if given is options else get_shoulds(given)

    library._get_shoulds = shoulds_unless_ours
    library._cyberplan_skips_shoulds = True


# stix2-validator replaces the "objects" property in the schemas of these files after loading them.
_SCHEMAS_THE_VALIDATOR_CHANGES = frozenset({"observed-data.json", "bundle.json"})


def _reuse_schema_validators() -> None:
    """Make stix2-validator build each JSON-schema validator once instead of once per object.

    For every object it validates, stix2-validator walks its schema folder to find the type's schema, reads
    it, builds a new ``referencing`` registry and, while validating, reads and indexes ("crawls") each
    referenced common schema again: about half of its time per object. The functions it calls for this are
    module globals of ``stix2validator.validator``; they are replaced here by versions that keep what they
    built: the path of each schema, the schema itself (handed out as it is, except a copy of the schemas
    of observed data and bundles, which the validator changes), one registry per schema folder holding every schema of the
    folder already crawled, and one validator per distinct schema. The checks and messages are the
    library's own; only the repeated work goes (docs/performance.md has the figures).
    """
    import copy
    import json
    import os

    import stix2validator.validator as library
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    if getattr(library, "_cyberplan_reuses_validators", False):
        return
    find_schema, load_schema, retrieve = library.find_schema, library.load_schema, library.retrieve_from_filesystem
    schemas: dict[str, Any] = {}
    validators: dict[tuple[str, str, str], Any] = {}

    def cached_load_schema(schema_path: str) -> Any:
        if schema_path not in schemas:
            schemas[schema_path] = load_schema(schema_path)
        if Path(schema_path).name in _SCHEMAS_THE_VALIDATOR_CHANGES:
            return copy.deepcopy(schemas[schema_path])
        return schemas[schema_path]  # only read: the validator patches a copy of it

    @functools.cache
    def folder_registry(schema_dir: str) -> Any:
        resources = []
        for root, _dirs, files in os.walk(schema_dir, followlinks=True):
            if "examples" in root:
                continue
            for name in files:
                if name.endswith(".json"):
                    uri = Path(root, name).as_uri()
                    resources.append((uri, retrieve(uri, schema_dir)))
        # referencing declares ``retrieve`` as a private attrs field, which mypy does not see as an argument.
        make_registry: Any = Registry
        registry = make_registry(retrieve=functools.partial(retrieve, schema_dir=schema_dir))
        return registry.with_resources(resources).crawl()

    def cached_load_validator(schema_path: str, schema: Any, schema_dir: str) -> Any:
        # A schema handed out as loaded is known by its path; one the validator changed, by its content.
        unchanged = schemas.get(schema_path) is schema
        key = (schema_path, schema_dir, "" if unchanged else json.dumps(schema, sort_keys=True))
        found = validators.get(key)
        if found is None:
            schema = library.patch_schema(schema, schema_path)
            registry = folder_registry(schema_dir).with_resource(schema_path, DRAFT202012.create_resource(schema))
            found = library.STIXValidator(
                schema, registry=registry.crawl(), format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            validators[key] = found
        return found

    # Each "$ref" a schema follows joins the same few URIs again; jsonschema keeps its own joins the same way.
    from urllib.parse import urljoin

    import referencing._core

    referencing._core.urljoin = functools.lru_cache(maxsize=1024)(urljoin)  # type: ignore[attr-defined]  # the module imports it; it does not export it
    library.find_schema = functools.lru_cache(maxsize=1024)(find_schema)
    library.load_schema = cached_load_schema
    library.load_validator = cached_load_validator
    library._cyberplan_reuses_validators = True


@functools.cache
def _install_fast_checks() -> None:
    """Check the simple STIX patterns of indicators without the ANTLR parser, each pattern once
    (``pattern_check``), and strictly written timestamps without dateutil's general parser
    (``timestamp_check``): the same verdicts and messages as the libraries' own ways."""
    pattern_check.install()
    timestamp_check.install()


def validator_has_schemas() -> bool:
    return _validator()[1]


@dataclass(frozen=True)
class PreparedValidator:
    """stix2-validator as :func:`validate_object` runs it, for a caller that runs parts of it itself."""

    options: Any  # its ``ValidationOptions`` (SHOULD checks skipped for these options)
    has_schemas: bool  # whether its JSON schema files are installed
    musts: list[Callable[..., Any]]  # its MUST checks, in its order


def prepared_validator() -> PreparedValidator:
    """stix2-validator set up the way :func:`validate_object` uses it: schema validators kept, SHOULD checks
    skipped, and the fast pattern and timestamp checks installed (the same verdicts and messages)."""
    options, has_schemas, musts = _validator()
    _install_fast_checks()
    return PreparedValidator(options, has_schemas, musts)


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
    _install_fast_checks()
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
    return sco_value_problem(obj)
