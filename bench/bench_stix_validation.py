"""Validating one STIX indicator: stix2-validator as shipped against the same checks with its schema validators
built once (``cyberplan/pipeline/importers/stix/validation.py``). Each way runs in a fresh interpreter, since
the reuse is switched on at the first validation of a process."""

from __future__ import annotations

import subprocess
import sys

OBJECTS = 1000
ROUNDS = 3

PROGRAM = """
import sys, time
import stix2validator.validator as library
if sys.argv[1] == "as-shipped":
    library._cyberplan_reuses_validators = True  # the reuse then believes itself installed and does nothing
from cyberplan.pipeline.importers.stix.validation import validate_object
objects = [{
    "type": "indicator", "spec_version": "2.1", "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
    "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
    "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']", "pattern_type": "stix",
    "valid_from": "2026-01-01T00:00:00Z",
    "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
} for n in range(__OBJECTS__)]
validate_object(objects[0])
best = float("inf")
for _ in range(__ROUNDS__):
    started = time.perf_counter()
    for obj in objects:
        assert validate_object(obj).problem is None
    best = min(best, time.perf_counter() - started)
print(best / len(objects) * 1000)
""".replace("__OBJECTS__", str(OBJECTS)).replace("__ROUNDS__", str(ROUNDS))


def per_object(way: str) -> float:
    done = subprocess.run(  # this interpreter, a fixed program
        [sys.executable, "-c", PROGRAM, way], check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip())


shipped, reused = per_object("as-shipped"), per_object("reused")
print(f"validating an indicator ({OBJECTS:,} objects, best of {ROUNDS}):")
print(f"  stix2-validator as shipped {shipped:.2f} ms, schema validators built once {reused:.2f} ms")
print(f"  ratio: {shipped / reused:.1f}x faster")
