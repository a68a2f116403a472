"""Compressed input and decompression bombs: what a file declares is checked before anything is
written, what it really unpacks to is counted while it is written and stopped at the limit, the
free disk is watched, and a refused file leaves nothing behind.

The bombs are made here, a few MiB of zeros compressed. To see how much an unpacking really writes,
it runs in a child process whose largest writable file size (RLIMIT_FSIZE) is the import limit plus
one chunk: a write past that fails, and the refusal would not be the clean one expected."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cyberplan.pipeline.importers.base import Source, SourceError
from cyberplan.pipeline.ingest import COPY_CHUNK, DEFAULT_MAX_BYTES, IngestLimits, unpacked

ROOT = Path(__file__).resolve().parents[2]
HEADER = b"timestamp,ip\n"
LIMIT = 1024 * 1024 + 12_345  # not a multiple of the chunk, so the last chunk straddles it
BOMB = 8 * 1024 * 1024


def zeros(size: int) -> bytes:
    return HEADER + b"0" * (size - len(HEADER))


def gzip_bomb(path: Path, size: int = BOMB) -> Path:
    path.write_bytes(gzip.compress(zeros(size), compresslevel=1))
    return path


def gzip_bomb_with_small_trailer(path: Path, size: int = BOMB) -> Path:
    """Two gzip members: the large one first, so the trailer (which gives the last member's size)
    says a few bytes; only counting what is written catches it."""
    path.write_bytes(gzip.compress(zeros(size), compresslevel=1) + gzip.compress(b"0\n"))
    return path


def bz2_bomb(path: Path, size: int = BOMB) -> Path:
    path.write_bytes(bz2.compress(zeros(size), compresslevel=1))
    return path


def xz_bomb(path: Path, size: int = BOMB) -> Path:
    path.write_bytes(lzma.compress(zeros(size), preset=0))
    return path


def zip_bomb(path: Path, size: int = BOMB) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("report.csv", zeros(size))
    return path


CHILD = """
import json, resource, signal, sys
from pathlib import Path
from cyberplan.pipeline.importers.base import Source, SourceError
from cyberplan.pipeline.ingest import IngestLimits, unpacked

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
limit, cases = int(sys.argv[1]), json.loads(sys.argv[2])
_soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
for bomb, work, largest_write in cases:
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest_write, hard))
    try:
        with unpacked(Source(Path(bomb)), Path(work), IngestLimits(max_bytes=limit, min_free_bytes=0)):
            outcome = "unpacked"
    except SourceError as refused:
        outcome = str(refused)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    print(json.dumps([Path(bomb).name, outcome, sorted(p.name for p in Path(work).iterdir())]))
"""


def unpack_in_child(limit: int, cases: list[tuple[Path, Path, int]]) -> dict[str, tuple[str, list[str]]]:
    for _bomb, work, _largest in cases:
        work.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(limit), json.dumps([(str(b), str(w), n) for b, w, n in cases])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    return {name: (outcome, left) for name, outcome, left in results}


@pytest.mark.slow
def test_bombs_are_stopped_at_the_limit_and_leave_nothing_behind(tmp_path: Path) -> None:
    streamed = {
        "multi.csv.gz": gzip_bomb_with_small_trailer,
        "report.csv.bz2": bz2_bomb,
        "report.csv.xz": xz_bomb,
    }
    declared = {"report.csv.gz": gzip_bomb, "report.zip": zip_bomb}
    cases = [(make(tmp_path / name), tmp_path / f"work-{name}", LIMIT + COPY_CHUNK) for name, make in streamed.items()]
    # A file that says how large it unpacks is refused before a single byte is written.
    cases += [(make(tmp_path / name), tmp_path / f"work-{name}", 0) for name, make in declared.items()]
    outcomes = unpack_in_child(LIMIT, cases)
    for name in [*streamed, *declared]:
        message, left = outcomes[name]
        assert message.startswith(f"{name}: unpacks to more than ") and "decompression bomb" in message, message
        assert "1.0 MiB, the limit of one import" in message
        assert left == [], f"{name}: the partial output was left behind"


def test_a_genuine_compressed_file_is_unpacked_and_removed_afterwards(tmp_path: Path) -> None:
    packed = zip_bomb(tmp_path / "report.zip", size=LIMIT)
    work = tmp_path / "work"
    work.mkdir()
    with unpacked(Source(packed), work, IngestLimits(max_bytes=LIMIT)) as plain:
        assert plain.name == "report.csv"
        assert plain.path.stat().st_size == LIMIT
    assert list(work.iterdir()) == []


def test_too_little_free_disk_refuses_before_unpacking(tmp_path: Path) -> None:
    packed = gzip_bomb(tmp_path / "report.csv.gz", size=1024 * 1024)
    work = tmp_path / "work"
    work.mkdir()
    refusal = r"^report\.csv\.gz: not enough free disk space to unpack it \("
    with (
        pytest.raises(SourceError, match=refusal),
        unpacked(Source(packed), work, IngestLimits(min_free_bytes=1 << 60)),
    ):
        pass
    assert list(work.iterdir()) == []


def test_the_free_disk_is_watched_while_unpacking(tmp_path: Path) -> None:
    """The trailer says a few bytes, so the disk looks sufficient at the start; a few MiB later the
    free space falls under the margin and the unpacking stops."""
    packed = gzip_bomb_with_small_trailer(tmp_path / "report.csv.gz", size=64 * 1024 * 1024)
    work = tmp_path / "work"
    work.mkdir()
    margin = shutil.disk_usage(work).free - 4 * 1024 * 1024
    limits = IngestLimits(min_free_bytes=margin)
    with (
        pytest.raises(SourceError, match=r"not enough free disk space to unpack it") as refused,
        unpacked(Source(packed), work, limits),
    ):
        pass
    assert str(tmp_path) not in str(refused.value)
    assert list(work.iterdir()) == []


def test_the_default_limit_fits_a_daily_national_feed() -> None:
    """1 GiB: about 7.5 million Shadowserver rows in one file (see the configuration reference)."""
    assert DEFAULT_MAX_BYTES == IngestLimits().max_bytes == 1024**3
