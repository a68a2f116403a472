"""The CSV engine (Shadowserver reports and mapped CSV) under hostile input: random cells,
broken quoting, wrong encodings, truncation. It never crashes, and every line is accounted for."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberplan.pipeline.importers.base import Source, SourceError
from cyberplan.pipeline.ingest import ingest
from cyberplan.pipeline.store import EventStore

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

HEADER = b'"timestamp","ip","protocol","port","hostname","tag","asn","geo"\n'
GOOD = b'"2026-11-28 01:02:03","181.120.1.2","tcp","23","h.example.py","telnet","23201","PY"\n'

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["2026-11-28 01:02:03", "2026-11-28T01:02:03Z", "181.120.1.2", "2800:ac::1", "23", "", "=1+1", "AS23201"]
    ),
)
row = st.lists(cell, min_size=0, max_size=10)


def csv_line(cells: list[str]) -> bytes:
    return (",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\n").encode("utf-8", "surrogatepass")


def run(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2026-11-28-scan_telnet-py-geo.csv"
        path.write_bytes(data)
        refusal = ""
        try:
            summary = ingest(Source(path), EventStore(Path(tmp) / "store"), "fuzz")
        except SourceError as refused:
            refusal = str(refused)
        if refusal:
            assert tmp not in refusal, "a message shown to users names a server path"
            return
        assert summary.read == summary.stored + summary.duplicates + summary.quarantined


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, max_size=8))
def test_random_rows_are_stored_or_quarantined(rows: list[list[str]]) -> None:
    try:
        body = b"".join(csv_line(r) for r in rows)
    except UnicodeEncodeError:
        return
    run(HEADER + GOOD + body)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=200))
def test_random_bytes_and_truncation(noise: bytes, cut: int) -> None:
    data = HEADER + GOOD + noise + GOOD
    run(data[: len(data) - cut] if cut < len(data) else data)


def test_invalid_utf8_line_is_quarantined_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "2026-11-28-scan_telnet-py-geo.csv"
    path.write_bytes(
        HEADER + GOOD + b'"2026-11-28 01:02:04","181.120.1.3","tcp","23","caf\xe9","telnet","23201","PY"\n'
    )
    summary = ingest(Source(path), EventStore(tmp_path / "store"), "latin1")
    assert (summary.read, summary.stored, summary.quarantined) == (2, 1, 1)
