"""Validating one STIX indicator three ways, each with the same checks and messages: stix2 and stix2-validator as
shipped; with the validator's schema validators built once (``cyberplan/pipeline/importers/stix/validation.py``);
and with, besides, the simple patterns and strictly written timestamps checked without the ANTLR parser and
dateutil (``pattern_check.py``, ``timestamp_check.py``) and no SHOULD checks (whose warnings are not read). Each way runs in a fresh interpreter, since the
changes are switched on at the first validation of a process."""

from __future__ import annotations

import subprocess
import sys

OBJECTS = 1000
ROUNDS = 3

PROGRAM = """
import sys, time
import stix2patterns.validator as patterns_library
import stix2validator.validator as library
import stix2validator.v21.musts as musts
# A change that believes itself installed does nothing.
if sys.argv[1] == "as-shipped":
    library._cyberplan_reuses_validators = True
if sys.argv[1] in ("as-shipped", "reused"):
    patterns_library._cyberplan_fast_patterns = True
    musts._cyberplan_fast_timestamps = True
    library._cyberplan_skips_shoulds = True
from cyberplan.pipeline.importers.stix.validation import validate_object
objects = [{
    "type": "indicator", "spec_version": "2.1", "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
    "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
    "pattern": f"[ipv4-addr:value = '10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}']", "pattern_type": "stix",
    "valid_from": "2026-01-01T00:00:00Z",
    "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
} for n in range(__OBJECTS__)]
validate_object(objects[0])
best = float("inf")
for _ in range(__ROUNDS__):
    started = time.perf_counter()
    for obj in objects:
        assert validate_object(obj).problem is None  # every pattern differs: no result is reused between objects
    best = min(best, time.perf_counter() - started)
print(best / len(objects) * 1000)
""".replace("__OBJECTS__", str(OBJECTS)).replace("__ROUNDS__", str(ROUNDS))


def per_object(way: str) -> float:
    done = subprocess.run(  # this interpreter, a fixed program
        [sys.executable, "-c", PROGRAM, way], check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip())


shipped, reused, fast = per_object("as-shipped"), per_object("reused"), per_object("fast-checks")
print(f"validating an indicator ({OBJECTS:,} objects, best of {ROUNDS}):")
print(f"  stix2 and stix2-validator as shipped {shipped:.3f} ms")
print(f"  schema validators built once {reused:.3f} ms ({shipped / reused:.1f}x faster)")
print(f"  and the fast pattern and timestamp checks, no SHOULD checks {fast:.3f} ms ({shipped / fast:.1f}x faster)")
