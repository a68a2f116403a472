"""A CSV file cut short (a transfer that stopped, a disk that filled) or with one broken line keeps
every valid row; the broken lines are quarantined with their line number and reason, and no
message names a path on the server."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberplan.pipeline.importers.base import ImportOptions, Source, SourceError, without_paths
from cyberplan.pipeline.ingest import IngestLimits, ingest
from cyberplan.pipeline.store import CommitSummary, EventStore

from .support import rejects

NAME = "2026-11-28-scan_telnet-py-geo.csv"
HEADER = b'"timestamp","ip","protocol","port","hostname","tag","asn","geo"\n'


def good(index: int) -> bytes:
    return (
        f'"2026-11-28 01:{index // 60:02d}:{index % 60:02d}","181.120.{index // 250}.{index % 250 + 1}",'
        f'"tcp","23","h{index}.example.py","telnet","23201","PY"\n'
    ).encode()


GOOD = b"".join(good(i) for i in range(5))


def run(path: Path, root: Path, **kwargs: object) -> CommitSummary:
    return ingest(Source(path, NAME), EventStore(root), "imp-1", **kwargs)  # type: ignore[arg-type]


# (the tail after five good rows, the line and field of its reject, a word of the reason)
BROKEN_TAILS = {
    "cut in the middle of a quoted field": (b'"2026-11-28 01:02:09","181.1', 7, "ip", "unterminated quote"),
    "an open quote at the very end": (
        b'"2026-11-28 01:02:09","181.120.1.9","tcp","23","h.exa',
        7,
        "hostname",
        "unterminated quote",
    ),
    "cut in the middle of an unquoted field": (b"2026-11-28 01:02:09,181.120", 7, "protocol", "columns"),
    "fewer cells, no line break": (b'"2026-11-28 01:02:09","181.120.1.9","tcp"', 7, "port", "columns"),
    "cut just after a quote": (b'"2026-11-28 01:02:09","', 7, "ip", "unterminated quote"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_TAILS))
def test_a_truncated_csv_keeps_its_valid_rows_and_quarantines_the_tail(tmp_path: Path, case: str) -> None:
    tail, line, field, reason = BROKEN_TAILS[case]
    path = tmp_path / "upload.csv"
    path.write_bytes(HEADER + GOOD + tail)
    summary = run(path, tmp_path / "store")
    assert (summary.read, summary.stored, summary.quarantined) == (6, 5, 1)
    [reject] = rejects(tmp_path / "store")
    assert (reject["file"], reject["line"], reject["field"]) == (NAME, line, field)
    assert reason in reject["reason"].lower()
    assert reject["raw"].strip() == tail.decode().strip()


def test_a_stray_quote_in_the_middle_costs_only_its_line(tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(HEADER + good(0) + b'"2026-11-28 01:02:09","181"x"\n' + b"".join(good(i) for i in range(1, 5)))
    summary = run(path, tmp_path / "store")
    assert (summary.read, summary.stored, summary.quarantined) == (6, 5, 1)
    assert [(r["line"], r["field"]) for r in rejects(tmp_path / "store")] == [(3, "ip")]


@pytest.mark.slow
def test_the_truncated_last_piece_of_a_large_file_is_read_like_the_rest(tmp_path: Path) -> None:
    """Read in pieces, the last piece is small, and a cut at its end must not refuse the file."""
    body = b"".join(good(i) for i in range(400))
    path = tmp_path / "upload.csv"
    path.write_bytes(HEADER + body + b'"2026-11-28 09:00:00","181.1')
    summary = run(path, tmp_path / "store", limits=IngestLimits(chunk_bytes=4096))
    assert (summary.read, summary.stored, summary.quarantined) == (401, 400, 1)
    assert [(r["line"], r["field"]) for r in rejects(tmp_path / "store")] == [(402, "ip")]


def test_a_mapped_csv_with_its_own_delimiter_keeps_its_rows_when_cut(tmp_path: Path) -> None:
    mapping = {
        "columns": {
            "seen": {"field": "time.source", "convert": "timestamp"},
            "address": {"field": "source.ip", "convert": "ip"},
        },
        "constants": {"classification.taxonomy": "vulnerable", "classification.type": "vulnerable-system"},
        "delimiter": ";",
    }
    path = tmp_path / "partner.csv"
    path.write_bytes(b'seen;address\n2026-10-01 08:00:00;203.0.113.1\n2026-10-01 08:00:01;203.0.113.2\n"2026-10')
    summary = ingest(
        Source(path),
        EventStore(tmp_path / "store"),
        "imp-1",
        format="csv",
        options=ImportOptions(mapping=mapping, extra={"mapping_name": "partner"}),
    )
    assert (summary.read, summary.stored, summary.quarantined) == (3, 2, 1)
    assert [r["line"] for r in rejects(tmp_path / "store")] == [4]


def test_a_cut_header_is_refused_with_a_message_that_names_the_file_not_the_server_path(tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(HEADER[:30])
    with pytest.raises(SourceError) as refused:
        run(path, tmp_path / "store")
    message = str(refused.value)
    assert message.startswith(NAME + ": ")
    assert "header" in message
    assert str(tmp_path) not in message and "/" not in message


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.integers(min_value=1, max_value=6), cut=st.integers(min_value=0, max_value=200))
def test_any_cut_keeps_every_complete_row(rows: int, cut: int) -> None:
    """Cut a valid file anywhere after its header: every line that was complete is stored, the
    cut line (if any) is quarantined, and the file is never refused."""
    body = b"".join(good(i) for i in range(rows))
    cut = min(cut, len(body))
    kept = body[: len(body) - cut]
    complete = kept.count(b"\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.csv"
        path.write_bytes(HEADER + kept)
        summary = run(path, Path(tmp) / "store")
        assert summary.stored >= complete
        assert summary.read == summary.stored + summary.duplicates + summary.quarantined
        partial = bool(kept) and not kept.endswith(b"\n")
        assert summary.read == complete + partial


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ('Error when sniffing file "/srv/data/.work/imp-1/a b.csv".', 'Error when sniffing file "a b.csv".'),
        (
            "[Errno 28] No space left on device: '/var/lib/x/unpacked-r.csv'",
            "[Errno 28] No space left on device: 'unpacked-r.csv'",
        ),
        ("No files found that match the pattern /tmp/w/x.csv", "No files found that match the pattern x.csv"),
        ("see https://example.org/a/b on 2026/11/28", "see https://example.org/a/b on 2026/11/28"),
    ],
)
def test_library_messages_lose_their_server_paths(message: str, shown: str) -> None:
    assert without_paths(message) == shown


def test_a_complete_short_row_reads_as_empty_fields(tmp_path: Path) -> None:
    """A row ending with a line break but without its last, empty cells is a Shadowserver short row,
    not a cut: it is read with those fields empty, as IntelMQ reads it."""
    path = tmp_path / "upload.csv"
    path.write_bytes(HEADER + GOOD + b'"2026-11-28 01:02:09","181.120.1.9","tcp"\n')
    summary = run(path, tmp_path / "store")
    assert (summary.read, summary.stored, summary.quarantined) == (6, 6, 0)
