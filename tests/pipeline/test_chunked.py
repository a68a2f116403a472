"""A file ingested in chunks gives the store it gives in one piece, and a chunked import killed
half-way leaves nothing visible and runs again to the same store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cyberplan.pipeline.importers.base import Source
from cyberplan.pipeline.importers.csvengine import split_csv
from cyberplan.pipeline.ingest import IngestLimits, ingest
from cyberplan.pipeline.store import CommitSummary, EventStore, import_of

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
OBSERVED_AT = "2026-11-29 00:00:00+00"
HEADER = '"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city","banner"\n'


def report(path: Path, rows: int = 60) -> Path:
    """A scan_telnet report with duplicates far apart, rejected values, a line DuckDB cannot parse,
    quoted line breaks and quotes, and two months."""
    lines = [HEADER]
    for index in range(rows):
        day = "2026-11-30" if index % 17 == 5 else "2026-12-01"  # two months
        banner = f'"login {index}"'
        if index % 11 == 3:
            banner = f'"BusyBox ""v1.{index}""\nlogin:"'  # a quoted line break and doubled quotes
        ip = f"192.0.2.{index % 250}" if index % 2 else f"198.51.100.{index % 250}"
        if index == 20:
            ip = "192.0.2.300"  # not an IP address: rejected
        lines.append(
            f'"{day} {index // 60:02d}:{index % 60:02d}:00","{ip}","tcp",23,"host-{index}.example.py",'
            f'"telnet",{64500 + index % 3},"PY","CENTRAL","LUQUE",{banner}\n'
        )
        if index == 33:
            lines.append('"2026-12-01 00:33:30","192.0.2.1","tcp"\n')  # a short row: the missing fields are empty
    lines.append(lines[4])  # a duplicate of an early row at the end
    lines.append(lines[30])
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run(path: Path, root: Path, import_id: str = "imp-1", chunk_bytes: int = 1 << 30) -> CommitSummary:
    return ingest(
        Source(path),
        EventStore(root),
        import_id,
        observed_at=OBSERVED_AT,
        limits=IngestLimits(chunk_bytes=chunk_bytes),
    )


def stored(root: Path) -> list[dict[str, Any]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    EventStore(root).register(con)
    rows: list[dict[str, Any]] = con.sql("SELECT * FROM events ORDER BY event_id").to_arrow_table().to_pylist()
    con.close()
    return rows


def quarantined(root: Path, import_id: str = "imp-1") -> list[dict[str, Any]]:
    path = EventStore(root).quarantine_file(import_id)
    if not path.exists():
        return []
    con = duckdb.connect()
    rows: list[dict[str, Any]] = (
        con.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY line, field").to_arrow_table().to_pylist()
    )
    con.close()
    return rows


def summary_counts(summary: CommitSummary) -> tuple[int, int, int, int, list[str]]:
    return (summary.read, summary.stored, summary.duplicates, summary.quarantined, summary.months)


def test_split_keeps_quoted_line_breaks_together(tmp_path: Path) -> None:
    path = report(tmp_path / "2026-12-01-scan_telnet-py-geo.csv")
    pieces = tmp_path / "pieces"
    pieces.mkdir()
    bodies = []
    for piece in split_csv(path, pieces, 300):
        text = piece.read_text(encoding="utf-8")
        assert text.startswith(HEADER)
        assert text.count('"') % 2 == 0, "a piece ends inside a quoted field"
        bodies.append(text.removeprefix(HEADER))
    assert len(bodies) > 5
    assert HEADER + "".join(bodies) == path.read_text(encoding="utf-8")
    assert not list(pieces.iterdir()), "each piece is removed once read"


@pytest.mark.parametrize("chunk_bytes", [300, 1000, 4000])
def test_chunks_give_the_same_store_as_one_piece(tmp_path: Path, chunk_bytes: int) -> None:
    path = report(tmp_path / "2026-12-01-scan_telnet-py-geo.csv")
    whole = run(path, tmp_path / "whole")
    chunked = run(path, tmp_path / "chunked", chunk_bytes=chunk_bytes)
    assert summary_counts(chunked) == summary_counts(whole)
    assert whole.duplicates == 2 and whole.quarantined == 1  # the row with too few fields is a short row
    assert whole.read == whole.stored + whole.duplicates + whole.quarantined
    assert stored(tmp_path / "chunked") == stored(tmp_path / "whole")
    assert quarantined(tmp_path / "chunked") == quarantined(tmp_path / "whole")
    lines = [(r["line"], r["field"]) for r in quarantined(tmp_path / "whole")]
    assert lines == [(22, "ip")]
    # The chunked import wrote several files per month, all belonging to the one import.
    files = EventStore(tmp_path / "chunked").files()
    assert len(files) > 2
    assert {import_of(f) for f in files} == {"imp-1"}
    assert EventStore(tmp_path / "chunked").committed_imports() == {"imp-1"}


def test_an_import_id_that_reads_as_a_part_is_refused(tmp_path: Path) -> None:
    path = report(tmp_path / "2026-12-01-scan_telnet-py-geo.csv")
    with pytest.raises(ValueError, match="cannot name an import"):
        run(path, tmp_path / "store", "x.part2")
    assert import_of(Path("x.part2.parquet")) == "x"
    assert import_of(Path("42.parquet")) == "42"


def test_chunked_rerun_stores_nothing_new(tmp_path: Path) -> None:
    path = report(tmp_path / "2026-12-01-scan_telnet-py-geo.csv")
    first = run(path, tmp_path / "store", "first", chunk_bytes=500)
    again = run(path, tmp_path / "store", "again", chunk_bytes=700)
    assert again.stored == 0
    assert again.duplicates == first.stored + first.duplicates
    assert len(stored(tmp_path / "store")) == first.stored


def test_a_failing_chunk_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cyberplan.pipeline import store as store_module

    path = report(tmp_path / "2026-12-01-scan_telnet-py-geo.csv")
    calls: list[str] = []

    def failing(name: str) -> Any:
        real = getattr(store_module.ImportWriter, name)

        def step(self: store_module.ImportWriter, *args: Any, **kwargs: Any) -> None:
            calls.append(name)
            if len(calls) == 3:  # the third part, read through either path
                raise OSError("disk full")
            real(self, *args, **kwargs)

        return step

    monkeypatch.setattr(store_module.ImportWriter, "add", failing("add"))
    monkeypatch.setattr(store_module.ImportWriter, "adopt", failing("adopt"))
    with pytest.raises(OSError, match="disk full"):
        run(path, tmp_path / "store", chunk_bytes=400)
    store = EventStore(tmp_path / "store")
    assert store.committed_imports() == set()
    assert store.files() == []
    assert not list(store.events_dir.glob("month=*/*.parquet"))
    assert not (store.root / ".staging" / "imp-1").exists()
    assert len(calls) == 3


def test_killed_chunked_import_leaves_nothing_and_runs_again(tmp_path: Path) -> None:
    """Kill a chunked import once it has written parts, then run it again: nothing partial is
    ever visible, and the rerun gives the store a clean import gives."""
    path = tmp_path / "2026-12-01-scan_telnet-py-geo.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for index in range(60_000):
            out.write(
                f'"2026-12-01 {index // 3600 % 24:02d}:{index // 60 % 60:02d}:{index % 60:02d}",'
                f'"192.0.{2 + index % 200}.{index % 250}","tcp",23,"","telnet",64500,"PY","CENTRAL","LUQUE",'
                f'"login {index}"\n'
            )
    store_root = tmp_path / "store"
    script = (
        "import sys; from pathlib import Path; from cyberplan.pipeline.ingest import IngestLimits, ingest; "
        "from cyberplan.pipeline.store import EventStore; from cyberplan.pipeline.importers.base import Source; "
        "s = ingest(Source(Path(sys.argv[1])), EventStore(Path(sys.argv[2])), sys.argv[3], "
        f"observed_at='{OBSERVED_AT}', limits=IngestLimits(chunk_bytes=200_000)); print(s.stored)"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(path), str(store_root), "killed"], cwd=ROOT)
    staging = store_root / ".staging" / "killed"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (staging.exists() and len(list(staging.rglob("*.parquet"))) >= 2):
        time.sleep(0.01)
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    store = EventStore(store_root)
    assert "killed" not in store.committed_imports()
    assert stored(store_root) == []
    rerun = subprocess.run(
        [sys.executable, "-c", script, str(path), str(store_root), "killed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert rerun.stdout.strip() == "60000"
    clean = run(path, tmp_path / "clean", "killed")
    assert clean.stored == 60_000
    assert stored(store_root) == stored(tmp_path / "clean")
    assert not (store_root / ".staging").exists() or not any((store_root / ".staging").iterdir())
