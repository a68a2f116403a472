"""The fast "is it valid" check of an object added to a collection, in front of the full validation.

The full validation (``cyberplan.pipeline.importers.stix.validation.validate_object``) runs the importer's own
checks, the ``stix2`` object model, and stix2-validator: its JSON schemas through the pure-Python
``jsonschema`` and its MUST checks. On an envelope of indicators the schemas and the object model are about
four fifths of the time. :func:`accepts` gives a verdict with a cheaper way to the same checks:

1. the importer's own checks (the same function);
2. the same JSON schema files stix2-validator picks for the object's type, patched the same way, compiled
   once by ``jsonschema-rs`` (Rust); the three formats the schemas name (``email``, ``idn-hostname``,
   ``uri``) are checked by the very functions the pure-Python validator uses, so no format is looser;
3. stix2-validator's own MUST checks, the library's functions run the library's way;
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

import functools
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

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
# What the object model's ``strptime`` reads without surprise: seconds up to 59, at most microseconds.
_STRICT_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:[0-5]\d:[0-5]\d(?:\.\d{1,6})?Z")
_TIMESTAMP_PROPERTIES = ("created", "modified", "valid_from", "valid_until")
# stix2-validator changes the schemas of these types after loading them: they keep the full path.
_FULL_PATH_TYPES = frozenset({"observed-data", "bundle"})
_FORMATS = ("email", "idn-hostname", "uri")

Compiled = Callable[[Any], bool]


@functools.cache
def _library() -> tuple[Any, Any, list[Callable[..., Any]], str]:
    """The validator module, its options, its MUST checks and its schema folder, set up as the full path
    sets them up (cached schema look-ups, the fast pattern and timestamp checks)."""
    import stix2validator.validator as library

    from cyberplan.pipeline.importers.stix import validation

    options, has_schemas, musts = validation._validator()
    validation._install_fast_checks()
    if not has_schemas:
        raise RuntimeError("stix2-validator's schemas are not installed")
    schema_dir = str(Path(library.__file__).parent / "schemas-2.1" / "schemas")
    return library, options, musts, schema_dir


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
    library, options, musts, _schema_dir = _library()
    for _error in library._iter_errors_custom(obj, musts, options):
        return False
    return True


def _plain_indicator(obj: Mapping[str, Any]) -> bool:
    """Whether the object model would accept this indicator, given that the schema and the MUST checks did."""
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
        if prop in obj and not _STRICT_TIMESTAMP.fullmatch(obj[prop]):
            return False
    # Strictly written UTC timestamps of equal length compare as their times do; of unequal length, the
    # model decides (it compares times, the validator compares texts).
    start, end = obj.get("valid_from"), obj.get("valid_until")
    return start is None or end is None or (len(start) == len(end) and end > start)


def accepts(obj: Any) -> bool:
    """True when ``obj`` is certainly valid STIX 2.1 as the full validation judges it; False when the full
    validation must decide (the object may still be valid)."""
    from cyberplan.pipeline.importers.stix.validation import _own_problem

    try:
        if _own_problem(obj) is not None or obj["type"] in _FULL_PATH_TYPES:
            return False
        path = _schema_path(obj)
        if path is None or not _compiled(path)(obj) or not _passes_musts(obj):
            return False
    except Exception:
        return False
    if _plain_indicator(obj):
        return True
    from cyberplan.pipeline.importers.stix.validation import library_problem

    return library_problem(obj, []) is None
