"""The fast "is it valid" check of an object added to a collection, in front of the full validation.

The full validation (``cyberplan.pipeline.importers.stix.validation.validate_object``) runs the importer's own
checks, the ``stix2`` object model, and stix2-validator: its JSON schemas through the pure-Python
``jsonschema`` and its MUST checks. On an envelope of indicators the schemas and the object model are about
four fifths of the time. :func:`accepts` gives a verdict with a cheaper way to the same checks:

1. the importer's own checks, made in one walk of the object (:func:`_own_clean`): it only accepts, and
   what it does not accept goes to the importer's function on the full path, which words the reason;
2. the same JSON schema files stix2-validator picks for the object's type, patched the same way, compiled
   once by ``jsonschema-rs`` (Rust); the three formats the schemas name (``email``, ``idn-hostname``,
   ``uri``) are checked by the very functions the pure-Python validator uses, so no format is looser;
3. stix2-validator's own MUST checks, the library's functions called the library's way, but only those that
   can find something in an object of this type with these properties (:func:`_passes_musts_fast`; the
   library's own loop for an object holding STIX objects in a list);
4. the ``stix2`` object model, except for an indicator of the plain shape partners send (no custom
   property, extension, granular marking, kill chain or external reference; strictly written timestamps):
   for it every check the model makes is one that steps 1 to 3 already made, apart from a few, which are
   made here: ``valid_until`` after ``valid_from`` as times (the validator compares the texts), the pattern
   version the model would use, and the types that ``created_by_ref`` and ``object_marking_refs`` point to
   (the schema checks only their form).

An object this accepts is valid; an object it refuses, or on which a check fails to run, is validated
again by the full path, so the message a partner reads is the one it always was. The verdicts are compared
on generated objects in ``tests/sharing/test_stix_check.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import GeneratorType
from typing import Any, NamedTuple

# The properties of an indicator for which the object model checks nothing that the schema, the MUST
# checks and :func:`_plain_indicator` do not (see the module's docstring).
_PLAIN_INDICATOR_PROPERTIES = frozenset(
    {
        "type",
        "spec_version",
        "id",
        "created_by_ref",
        "created",
        "modified",
        "name",
        "description",
        "indicator_types",
        "pattern",
        "pattern_type",
        "pattern_version",
        "valid_from",
        "valid_until",
        "revoked",
        "labels",
        "confidence",
        "lang",
        "object_marking_refs",
    }
)
_TIMESTAMP_PROPERTIES = ("created", "modified", "valid_from", "valid_until")
# What the object model's ``strptime`` reads without surprise: seconds up to 59 (``_STRICT_TIME``), at most
# microseconds, so at most this long.
_MODEL_TIMESTAMP_LENGTH = len("2026-01-01T00:00:00.000000Z")
# stix2-validator changes the schemas of these types after loading them: they keep the full path.
_FULL_PATH_TYPES = frozenset({"observed-data", "bundle"})
_FORMATS = ("email", "idn-hostname", "uri")
# What stix2-validator's MUST checks look at before doing anything (see ``stix2validator.v21.musts``).
_ONLY_FOR_TYPES: dict[str, frozenset[str]] = {
    "object_marking_circular_refs": frozenset({"marking-definition"}),
    "granular_markings_circular_refs": frozenset({"marking-definition"}),
    "patterns": frozenset({"indicator"}),
    "language_contents": frozenset({"language-content"}),
    "uuid_version_check": frozenset(
        {"artifact", "email-message", "user-account", "windows-registry-key", "x509-certificate"}
    ),
    "process": frozenset({"process"}),
}
_ONLY_WITH_PROPERTY = {"marking_selector_syntax": "granular_markings", "language": "lang", "cpe_check": "cpe"}
_ONLY_FOR_OBSERVABLES = frozenset(
    {
        "observable_timestamp_compare",
        "observable_object_references",
        "artifact_mime_type",
        "character_set",
        "software_language",
    }
)
_GATING_PROPERTIES = frozenset(_ONLY_WITH_PROPERTY.values())
_STRICT_TIME = re.compile(
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?Z"
)
_NOTHING = object()
_JSON_SCALARS = (int, float, bool, type(None))

Compiled = Callable[[Any], bool]


@functools.cache
def _library() -> tuple[Any, Any, list[Callable[..., Any]], str]:
    """The validator module, its options, its MUST checks and its schema folder, set up as the full path
    sets them up (cached schema look-ups, the fast pattern and timestamp checks)."""
    import stix2validator.validator as library

    from cyberplan.pipeline.importers.stix import validation

    prepared = validation.prepared_validator()
    if not prepared.has_schemas:
        raise RuntimeError("stix2-validator's schemas are not installed")
    schema_dir = str(Path(library.__file__).parent / "schemas-2.1" / "schemas")
    return library, prepared.options, prepared.musts, schema_dir


class _Importer(NamedTuple):
    """What the importer's own checks read: its timestamps, the observables whose value it checks, and the
    function that checks it."""

    timestamps: tuple[str, ...]
    sco_value_types: frozenset[str]
    sco_value_problem: Callable[[Mapping[str, Any]], Any]
    max_depth: int


@functools.cache
def _importer() -> _Importer:
    """Loaded at the first check (the importer brings the pipeline), then kept: no import per object."""
    from cyberplan.pipeline.importers.stix.validation import sco_value_problem
    from cyberplan.pipeline.importers.stix.values import MAX_DEPTH
    from cyberplan.pipeline.importers.stix.vocabulary import SCO_VALUE_TYPES, TIMESTAMPS

    return _Importer(tuple(TIMESTAMPS), frozenset(SCO_VALUE_TYPES), sco_value_problem, MAX_DEPTH)


def _format_functions() -> dict[str, Callable[[str], bool]]:
    """The pure-Python validator's own format checks (stix2-validator replaces ``email``'s)."""
    from jsonschema import Draft202012Validator

    checker = Draft202012Validator.FORMAT_CHECKER

    def conforms(name: str) -> Callable[[str], bool]:
        return lambda value: bool(checker.conforms(value, name))

    return {name: conforms(name) for name in _FORMATS}


@functools.cache
def _compiled(schema_path: str) -> Compiled:
    """The schema at ``schema_path`` compiled by jsonschema-rs, its ``$ref`` read from the same folder."""
    import jsonschema_rs

    library, _options, _musts, _schema_dir = _library()

    def retrieve(uri: str) -> Any:
        path = library.from_uri_to_path(uri)
        return library.patch_schema(json.loads(Path(path).read_text(encoding="utf-8")), path)

    schema = library.patch_schema(json.loads(Path(schema_path).read_text(encoding="utf-8")), schema_path)
    validator = jsonschema_rs.validator_for(
        schema, retriever=retrieve, validate_formats=True, formats=_format_functions()
    )
    return validator.is_valid


def _schema_path(obj: Mapping[str, Any]) -> str | None:
    """The schema stix2-validator checks ``obj`` against (its own look-up and its own fallback)."""
    library, _options, _musts, schema_dir = _library()
    path: str | None = library.find_schema(schema_dir, obj["type"])
    if path is None:
        observable = "created" not in obj and "modified" not in obj and obj["type"] != "marking-definition"
        path = library.find_schema(schema_dir, "cyber-observable-core" if observable else "core")
    return path


def _passes_musts(obj: Mapping[str, Any]) -> bool:
    """stix2-validator's MUST checks run by the library's own loop (every check, every nested object)."""
    library, options, musts, _schema_dir = _library()
    for _error in library._iter_errors_custom(obj, musts, options):
        return False
    return True


@functools.cache
def _observable_types() -> frozenset[str]:
    from stix2validator.util import OBSERVABLE_TYPES21

    return frozenset(OBSERVABLE_TYPES21)


def _can_apply(check: Callable[..., Any], kind: str, present: frozenset[str]) -> bool:
    """Whether the MUST check ``check`` can find anything in an object of type ``kind`` holding the
    properties ``present`` (of :data:`_GATING_PROPERTIES`); a check not named here always runs."""
    name = getattr(check, "__name__", "")
    if name in _ONLY_FOR_TYPES:
        return kind in _ONLY_FOR_TYPES[name]
    if name in _ONLY_WITH_PROPERTY:
        return _ONLY_WITH_PROPERTY[name] in present
    if name in _ONLY_FOR_OBSERVABLES:  # the library's decorator returns at once for any other type
        return kind == "observed-data" or kind in _observable_types()
    return True


_MustList = tuple[tuple[Callable[..., Any], bool], ...]
_MUSTS_BY_KIND: dict[tuple[str, bool, bool, bool], _MustList] = {}


def _musts_of(obj: Mapping[str, Any], kind: str) -> _MustList:
    """:func:`_musts_for` the object's type and gating properties, kept by type and by which of the three
    gating properties are present (a tuple of flags: no set built and hashed per object)."""
    key = (kind, "granular_markings" in obj, "lang" in obj, "cpe" in obj)
    chosen = _MUSTS_BY_KIND.get(key)
    if chosen is None:
        chosen = _musts_for(kind, _GATING_PROPERTIES.intersection(obj.keys()))
        if len(_MUSTS_BY_KIND) < 512:  # a partner's custom types cannot grow it without bound
            _MUSTS_BY_KIND[key] = chosen
    return chosen


@functools.lru_cache(maxsize=512)
def _musts_for(kind: str, present: frozenset[str]) -> _MustList:
    """The MUST checks that can apply, in the library's order, each with whether it takes the options
    (the library calls a check with the object alone and, on ``TypeError``, with the options too)."""
    _library_module, _options, musts, _schema_dir = _library()
    chosen = []
    for check in musts:
        if not _can_apply(check, kind, present):
            continue
        if check.__name__ == "timestamp" and kind != "observed-data" and kind not in _observable_types():
            continue  # made by :func:`_timestamps_pass` with the same verdict, falling back to the check itself
        code = getattr(check, "__code__", None)
        takes_options = code is not None and code.co_argcount == 2 and not getattr(check, "__defaults__", None)
        chosen.append((check, takes_options))
    return tuple(chosen)


def _yields_nothing(result: Any) -> bool:
    """Whether a MUST check's result holds no finding (a check yields its findings, or returns None)."""
    if type(result) is GeneratorType:
        return next(result, _NOTHING) is _NOTHING
    if isinstance(result, Iterable):
        return next(iter(result), _NOTHING) is _NOTHING
    return result is None


def _holds_stix_object(obj: Mapping[str, Any]) -> bool:
    """Whether a list property holds a STIX object (the library's ``_is_stix_obj``: a dictionary with an
    ``id`` and a ``type``), which the library's loop checks too."""
    for value in obj.values():
        if type(value) is list:
            for item in value:
                if isinstance(item, dict) and "id" in item and "type" in item:
                    return True
    return False


def _passes_musts_fast(obj: Mapping[str, Any], *, times_read: bool = False) -> bool:
    """:func:`_passes_musts`, running only the checks that can apply to the object's type and properties.

    The library runs its 16 checks on every object and on every STIX object found in a list property; most
    return at once for a given type. An object with STIX objects in a list keeps the library's loop.
    ``times_read``: the timestamps the importer reads were found strictly written and existing already
    (:func:`_own_clean`), so the ``timestamp`` check need only read those the importer does not."""
    _library_module, options, musts, _schema_dir = _library()
    kind = obj["type"]
    if _holds_stix_object(obj):
        return _passes_musts(obj)
    if not _timestamps_pass(obj, kind, musts, times_read=times_read):
        return False
    for check, takes_options in _musts_of(obj, kind):
        if takes_options:
            result = check(obj, options)
        else:
            try:
                result = check(obj)
            except TypeError:
                result = check(obj, options)
        if not _yields_nothing(result):
            return False
    return True


def _strict_time(value: Any) -> bool:
    """Whether ``value`` is a strictly written UTC timestamp of a time that exists (second 60 excluded)."""
    if type(value) is not str or _STRICT_TIME.fullmatch(value) is None:
        return False
    # The pattern fixes where the year, month and day are: YYYY-MM-DD...
    if value[8:10] <= "28":  # every month has it; the pattern bounds the month, hours, minutes and seconds
        return value[:4] != "0000"
    try:
        dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=512)
def _timestamp_properties(kind: str, times_read: bool) -> tuple[str, ...] | None:
    """The properties the library's ``timestamp`` check reads in an object of type ``kind``, less those the
    importer's timestamps when ``times_read``; None for a type holding observable data (the check itself
    runs for it, from :func:`_musts_for`'s list)."""
    if kind == "observed-data" or kind in _observable_types():
        return None
    from stix2validator.v21 import enums

    from cyberplan.pipeline.importers.stix.vocabulary import TIMESTAMPS

    props = ("created", "modified", *enums.TIMESTAMP_PROPERTIES.get(kind, ()))
    return tuple(prop for prop in props if not (times_read and prop in TIMESTAMPS))


def _timestamps_pass(
    obj: Mapping[str, Any], kind: str, musts: list[Callable[..., Any]], *, times_read: bool = False
) -> bool:
    """The MUST check ``timestamp`` for a type that holds no observable data: every timestamp it reads
    that is strictly written and exists passes it; otherwise the library's check itself decides."""
    props = _timestamp_properties(kind, times_read)
    if props is None:
        return True  # the check runs from :func:`_musts_for`'s list
    if all(_strict_time(obj[prop]) for prop in props if prop in obj):
        return True
    check = next((check for check in musts if check.__name__ == "timestamp"), None)
    return check is None or _yields_nothing(check(obj))


def _plain_indicator(obj: Mapping[str, Any]) -> bool:
    """Whether the object model would accept this indicator, given that the importer's own checks
    (:func:`_own_clean`), the schema and the MUST checks did."""
    if obj.get("type") != "indicator" or not obj.keys() <= _PLAIN_INDICATOR_PROPERTIES:
        return False
    if obj.get("spec_version") != "2.1" or obj.get("pattern_version", "2.1") != "2.1":
        return False
    # The schema checks a reference's form, not the type it points to; the model checks that too.
    if not str(obj.get("created_by_ref", "identity--")).startswith("identity--"):
        return False
    if not all(str(ref).startswith("marking-definition--") for ref in obj.get("object_marking_refs", [])):
        return False
    for prop in _TIMESTAMP_PROPERTIES:
        # Each was found strictly written by :func:`_own_clean` (``_STRICT_TIME``): only the number of digits
        # of its fraction is left to check.
        if prop in obj and len(obj[prop]) > _MODEL_TIMESTAMP_LENGTH:
            return False
    # Strictly written UTC timestamps of equal length compare as their times do; of unequal length, the
    # model decides (it compares times, the validator compares texts).
    start, end = obj.get("valid_from"), obj.get("valid_until")
    return start is None or end is None or (len(start) == len(end) and end > start)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean_tree(root: dict[str, Any]) -> bool:
    """One walk of the object: no list or object nested deeper than the importer allows, every key and
    string valid Unicode, nothing but JSON's own types."""
    max_depth = _importer().max_depth
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return False
        if type(item) is dict:
            for key in item:
                if type(key) is not str or not (key.isascii() or _encodes(key)):
                    return False
            values = item.values()
        else:
            values = item
        for value in values:
            kind = type(value)
            if kind is str:
                if not value.isascii() and not _encodes(value):
                    return False
            elif kind is dict or kind is list:
                stack.append((value, depth + 1))
            elif kind not in _JSON_SCALARS:
                return False
    return True


def _own_clean(obj: Any) -> bool:
    """True when the importer's own checks (``_own_problem``) certainly find nothing, in one walk of the
    object instead of one per check; False when the full path must say what is wrong."""
    if type(obj) is not dict:
        return False
    kind, ident = obj.get("type"), obj.get("id")
    if type(kind) is not str or not kind or kind == "bundle" or type(ident) is not str or not ident:
        return False
    importer = _importer()
    for prop in importer.timestamps:
        if prop in obj and not _strict_time(obj[prop]):
            return False
    if "confidence" in obj:
        confidence = obj["confidence"]
        if type(confidence) is not int or not 0 <= confidence <= 100:
            return False
    if not _clean_tree(obj):
        return False
    if kind in importer.sco_value_types:
        return importer.sco_value_problem(obj) is None
    return True


def accepts(obj: Any) -> bool:
    """True when ``obj`` is certainly valid STIX 2.1 as the full validation judges it; False when the full
    validation must decide (the object may still be valid)."""
    try:
        if not _own_clean(obj) or obj["type"] in _FULL_PATH_TYPES:
            return False
        path = _schema_path(obj)
        if path is None or not _compiled(path)(obj) or not _passes_musts_fast(obj, times_read=True):
            return False
    except Exception:
        return False
    if _plain_indicator(obj):
        return True
    from cyberplan.pipeline.importers.stix.validation import library_problem

    return library_problem(obj, []) is None
