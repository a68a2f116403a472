"""Differential test: the same generated Shadowserver reports through IntelMQ 3.5's own Shadowserver
parser and through cyberplan's importer, compared event by event.

IntelMQ runs in its own virtual environment (``make bench-env`` makes ``.cache/bench/intelmq-venv``)
as a worker process (``intelmq_worker.py``); without it the test is skipped with a message saying so.
IntelMQ reads Shadowserver's report schema from a file: the one its package ships (three test reports
with the columns of ``scan_smb``, ``scan_telnet`` and ``scan_afs``) unless ``CYBERPLAN_INTELMQ_SCHEMA``
names a fuller one (Shadowserver's published schema, kept by the CSIRT); every report type that
schema and cyberplan both know is compared. Nothing is downloaded.

Rows are generated with hypothesis and carry the quirks of real reports: rows without their last,
empty cells, a network in the address column, quotes, commas and line breaks inside quoted cells,
empty cells, non-ASCII text, AS number 0, an unreadable port. Each row has its own time, which pairs
IntelMQ's event with cyberplan's. Per report type the test prints whether the events are equal (the
same rows became events) and the agreement of the compared fields; it fails when the events differ,
or when a field differs other than in the ways docs/reference/shadowserver.md lists as deliberate
(``DELIBERATE`` below).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cyberplan.pipeline.importers.base import Source
from cyberplan.pipeline.importers.shadowserver import mapping_for, report_types
from cyberplan.pipeline.ingest import ingest
from cyberplan.pipeline.store import EventStore

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".cache" / "bench" / "intelmq-venv" / "bin" / "python"
WORKER = Path(__file__).with_name("intelmq_worker.py")
BASE = dt.datetime(2026, 11, 28, 1, 0, 0, tzinfo=dt.UTC)

# The fields compared, by their IntelMQ names (the event schema uses the same names).
COMPARED = (
    "time.source",
    "source.ip",
    "source.port",
    "source.asn",
    "source.geolocation.cc",
    "source.reverse_dns",
    "source.network",
    "destination.ip",
    "destination.port",
    "destination.asn",
    "destination.geolocation.cc",
    "protocol.transport",
    "protocol.application",
    "classification.taxonomy",
    "classification.type",
    "classification.identifier",
    "malware.name",
)


# Entries for the reports that carry malware columns (sinkholes, honeypots, compromised devices),
# written for this test in the schema's format from Shadowserver's published IntelMQ schema; IntelMQ's
# shipped test schema has only three scan reports. A fuller schema given by the CSIRT replaces them.
MALWARE_SCHEMA = Path(__file__).with_name("intelmq_schema_malware.json")


def _intelmq_schema() -> Path | None:
    given_schema = os.environ.get("CYBERPLAN_INTELMQ_SCHEMA")
    if given_schema:
        return Path(given_schema)
    shipped = sorted(
        VENV_PYTHON.parent.parent.glob("lib/python3*/site-packages/intelmq/bots/parsers/shadowserver/schema.json.test")
    )
    return shipped[0] if shipped else None


def _schema_entries() -> dict[str, Any]:
    """The schema IntelMQ is given: the CSIRT's, or the shipped test schema with the malware entries."""
    schema = _intelmq_schema()
    if not VENV_PYTHON.exists() or schema is None or not schema.exists():
        return {}
    entries: dict[str, Any] = json.loads(schema.read_text(encoding="utf-8"))
    if not os.environ.get("CYBERPLAN_INTELMQ_SCHEMA"):
        for name, entry in json.loads(MALWARE_SCHEMA.read_text(encoding="utf-8")).items():
            entries.setdefault(name, entry)
    return entries


def _pairs() -> list[tuple[str, dict[str, Any]]]:
    """(cyberplan report type, IntelMQ schema entry) for every report both know. The shipped test
    schema names its reports ``test_<service>`` for Shadowserver's ``scan_<service>``."""
    entries = _schema_entries()
    known = set(report_types())
    pairs = []
    for name, entry in sorted(entries.items()):
        if name == "_meta":
            continue
        report = str(entry["file_name"])
        report = "scan_" + report.removeprefix("test_") if report.startswith("test_") else report
        if report in known:
            pairs.append((report, entry))
    return pairs


PAIRS = _pairs()
SKIP_REASON = (
    "IntelMQ 3.5 is not installed in .cache/bench/intelmq-venv: run `make bench-env` to compare "
    "cyberplan's Shadowserver reader with IntelMQ's"
)


def _deliberate(report: str, field: str, ours: Any, theirs: Any, row: dict[str, str]) -> bool:
    """True when a difference is one docs/reference/shadowserver.md lists as deliberate."""
    if field == "classification.identifier" and isinstance(theirs, str) and theirs.startswith("test-"):
        # The shipped test schema names its identifiers test-<service>; the service must agree.
        return isinstance(ours, str) and ours.split("-", 1)[-1] == theirs.removeprefix("test-")
    if field == "classification.identifier" and isinstance(theirs, str) and ours == theirs.lower():
        return True  # an identifier from a column is lower case in cyberplan; IntelMQ copies it as written
    if field == "malware.name" and theirs is None and isinstance(ours, str) and not _printable_ascii(ours):
        return True  # IntelMQ refuses a family name that is not printable ASCII; cyberplan keeps it
    if field in ("source.asn", "destination.asn") and ours == 0 and theirs is None:
        return True  # IntelMQ drops AS number 0; cyberplan keeps it
    if field == "source.network" and theirs is None and "/" in row.get("ip", ""):
        return True  # a network in the address column: cyberplan's source.network (IntelMQ keeps it in extra)
    if field == "source.reverse_dns" and isinstance(theirs, str) and isinstance(ours, str):
        # IntelMQ writes a non-ASCII name in its IDNA form and drops a name it cannot encode.
        return theirs.startswith("xn--") or "xn--" in theirs
    # A host name IntelMQ's FQDN check refuses (spaces, quotes): cyberplan keeps the text.
    return field == "source.reverse_dns" and theirs is None and ours is not None


def _printable_ascii(text: str) -> bool:
    return all(" " <= character <= "~" for character in text)


# -- generating reports -------------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 ,;:\"'|-_.\n\tñéü€中")),
    max_size=12,
)
ADDRESSES = st.sampled_from(
    ["192.0.2.1", "192.0.2.77", "198.51.100.200", "203.0.113.9", "2001:DB8::17", "2001:db8:0:1::5"]
)
NETWORKS = st.sampled_from(["198.51.100.0/24", "192.0.2.128/25", "2001:db8::/48"])
HOSTNAMES = st.sampled_from(["host.example.py", "CPE-1.Example.PY.", "", "ñandú.example.py", "a b"])


# Malware families and labels as Shadowserver writes them in infection, family, tag and application
# columns, with the placeholders '0' and 'unknown', mixed case and odd text.
FAMILIES = st.sampled_from(
    [
        "necurs",
        "andromeda",
        "Andromeda",
        "zeroaccess",
        "b68-zeroaccess-2-32bit",
        "cyclops-blink",
        "victorygate.b",
        "ssh",
        "telnet",
        "unknown",
        "0",
        "-",
        "N/A",
        "",
    ]
)
MALWARE_COLUMNS = {"infection", "family", "tag", "application"}
SPECIAL = {"ip", "port", "asn", "geo", "protocol", "hostname", "severity"}
# Event reports name both ends: src_* and dst_* take the same kinds of values as the scan columns.
SPECIAL |= {f"{end}_{name}" for end in ("src", "dst") for name in ("ip", "port", "asn", "geo", "hostname")}


def _cell(column: str) -> st.SearchStrategy[str]:
    if column in MALWARE_COLUMNS:
        return st.one_of(FAMILIES, FAMILIES, FAMILIES, TEXT)
    if column.startswith(("src_", "dst_")) and column.removeprefix("src_").removeprefix("dst_") in SPECIAL:
        kind = column[4:]
        return ADDRESSES if kind == "ip" else _cell(kind)
    if column == "ip":
        return st.one_of(ADDRESSES, ADDRESSES, ADDRESSES, NETWORKS)
    if column == "port":
        return st.one_of(st.integers(0, 65535).map(str), st.just(""), st.just("23x"))
    if column == "asn":
        return st.one_of(st.integers(1, 4294967295).map(str), st.just("0"), st.just(""))
    if column == "geo":
        return st.sampled_from(["PY", "py", "NL", ""])
    if column == "protocol":
        return st.sampled_from(["tcp", "udp", "TCP", ""])
    if column == "hostname":
        return HOSTNAMES
    if column == "severity":
        return st.sampled_from(["critical", "high", "medium", "low", "info", ""])
    return st.one_of(st.just(""), TEXT)


def _columns(entry: dict[str, Any]) -> dict[str, str]:
    """The report's columns in the schema's order, each with IntelMQ's conversion ('' for none)."""
    names: dict[str, str] = {}
    for item in entry["required_fields"] + entry["optional_fields"]:
        names.setdefault(str(item[1]), str(item[2]) if len(item) > 2 else "")
    return names


INTEGER_CONVERSIONS = {"convert_int", "invalidate_zero"}


@st.composite
def _report(draw: st.DrawFn, columns: dict[str, str]) -> list[list[str]]:
    """Rows of a report; the first cell is the time (each row its own second); some rows lose their
    trailing empty cells."""
    rows = []
    for index in range(draw(st.integers(1, 12))):
        row = [(BASE + dt.timedelta(seconds=index)).strftime("%Y-%m-%d %H:%M:%S")]
        for column, conversion in list(columns.items())[1:]:
            if column not in SPECIAL and conversion in INTEGER_CONVERSIONS:
                # Shadowserver writes numbers there (naics, sic); IntelMQ refuses the row otherwise,
                # cyberplan keeps the text in extra (listed as deliberate in the docs).
                row.append(draw(st.one_of(st.just(""), st.just("0"), st.integers(1, 999999).map(str))))
            else:
                row.append(draw(_cell(column)))
        if draw(st.booleans()):
            while len(row) > 1 and row[-1] == "":
                row.pop()  # a short row, as Shadowserver writes some
        rows.append(row)
    return rows


def _write(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")


# -- running both ---------------------------------------------------------------------------------------


class IntelMQ:
    """The IntelMQ worker process, one for the whole module."""

    def __init__(self, schema: Path, root: Path) -> None:
        self.process = subprocess.Popen(
            [str(VENV_PYTHON), str(WORKER), "--schema", str(schema), "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )

    def parse(self, feed_name: str, path: Path) -> list[dict[str, Any]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"feed_name": feed_name, "csv": str(path)}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the IntelMQ worker stopped"
        events: list[dict[str, Any]] = json.loads(line)["events"]
        return events

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=120)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def intelmq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IntelMQ]:
    schema = tmp_path_factory.mktemp("intelmq-schema") / "schema.json"
    schema.write_text(json.dumps(_schema_entries()), encoding="utf-8")
    worker = IntelMQ(schema, tmp_path_factory.mktemp("intelmq-root"))
    yield worker
    worker.close()


def _cyberplan(path: Path, store_root: Path) -> list[dict[str, Any]]:
    store = EventStore(store_root)
    ingest(Source(path), store, "differential", observed_at="2026-12-01 00:00:00+00")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        store.register(con)
        rows: list[dict[str, Any]] = con.sql("SELECT * FROM events").to_arrow_table().to_pylist()
    finally:
        con.close()
    return rows


def _theirs(event: dict[str, Any], field: str) -> Any:
    value = event.get(field)
    if field == "protocol.transport" and isinstance(value, str):
        return value.lower()
    return value


def _ours(event: dict[str, Any], field: str) -> Any:
    value = event.get(field)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def _compare(
    report: str, rows: list[list[str]], columns: list[str], ours: list[dict[str, Any]], theirs: list[dict[str, Any]]
) -> tuple[int, int, int, list[str]]:
    """(fields compared, fields equal, fields equal or deliberately different, differences not listed
    as deliberate)."""
    by_time = {str(e["time.source"]): e for e in theirs}
    compared = equal = agreed = 0
    problems: list[str] = []
    for event in ours:
        other = by_time[_ours(event, "time.source")]
        index = int((event["time.source"] - BASE).total_seconds())
        row = dict(zip(columns, rows[index], strict=False))
        for field in COMPARED:
            compared += 1
            mine, its = _ours(event, field), _theirs(other, field)
            equal += mine == its
            if mine == its or _deliberate(report, field, mine, its, row):
                agreed += 1
            else:
                problems.append(f"{report} row {index + 2} {field}: cyberplan {mine!r}, IntelMQ {its!r}")
    return compared, equal, agreed, problems


@pytest.mark.skipif(not PAIRS, reason=SKIP_REASON)
@pytest.mark.parametrize(("report", "entry"), PAIRS, ids=[report for report, _ in PAIRS] or None)
def test_cyberplan_reads_shadowserver_reports_as_intelmq_does(
    report: str, entry: dict[str, Any], intelmq: IntelMQ, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping_for(report)  # the type is one cyberplan knows
    conversions = _columns(entry)
    columns = list(conversions)
    totals = {"examples": 0, "events_equal": 0, "compared": 0, "equal": 0, "agreed": 0}
    problems: list[str] = []

    # Generation only (no shrinking): each example runs both readers, and the message names the rows.
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
    )
    @given(rows=_report(conversions))
    def check(rows: list[list[str]]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"2026-11-28-{report}-py-geo.csv"
            _write(path, columns, rows)
            theirs = intelmq.parse(str(entry["feed_name"]), path)
            ours = _cyberplan(path, Path(folder) / "store")
        totals["examples"] += 1
        same = sorted(_ours(e, "time.source") for e in ours) == sorted(str(e["time.source"]) for e in theirs)
        totals["events_equal"] += same
        assert same, (
            f"{report}: cyberplan made events of rows {sorted(_ours(e, 'time.source') for e in ours)}, "
            f"IntelMQ of {sorted(str(e['time.source']) for e in theirs)}; rows: {rows!r}"
        )
        compared, equal, agreed, found = _compare(report, rows, columns, ours, theirs)
        totals["compared"] += compared
        totals["equal"] += equal
        totals["agreed"] += agreed
        problems.extend(found)

    check()
    share = 100.0 * totals["agreed"] / totals["compared"] if totals["compared"] else 100.0
    identical = 100.0 * totals["equal"] / totals["compared"] if totals["compared"] else 100.0
    with capsys.disabled():
        sys.stdout.write(
            f"\n{report}: events equal in {totals['events_equal']}/{totals['examples']} generated reports; "
            f"field agreement {share:.2f} % of {totals['compared']} compared fields "
            f"({identical:.2f} % identical, the rest differences listed as deliberate)\n"
        )
        for problem in sorted(set(problems))[:20]:
            sys.stdout.write(f"  differs: {problem}\n")
    assert not problems, "\n".join(sorted(set(problems))[:20])
