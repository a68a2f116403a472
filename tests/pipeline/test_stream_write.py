"""How a streamed import writes its Parquet files: the schema's own types whatever the writer does to
save time, text fields that are constant written through a one-value ENUM and read back as text."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cyberplan.pipeline.importers.base import ImportOptions, Source
from cyberplan.pipeline.ingest import constant_text, ingest
from cyberplan.pipeline.schema import FIELD_TYPES
from cyberplan.pipeline.store import EventStore, _written

HEADER = '"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city"\n'


def clean_report(path: Path, rows: int) -> Path:
    """A scan_telnet report without any reject, so that every part is streamed straight to Parquet."""
    lines = [HEADER]
    for index in range(rows):
        lines.append(
            f'"2026-12-01 {index // 3600 % 24:02d}:{index // 60 % 60:02d}:{index % 60:02d}",'
            f'"192.0.{index // 250 % 250}.{index % 250 + 1}","tcp",23,"h{index}.example.py","telnet",'
            f'{64500 + index % 3},"PY","CENTRAL","LUQUE"\n'
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_streamed_files_keep_the_schema_types_and_the_constant_values(tmp_path: Path) -> None:
    path = clean_report(tmp_path / "2026-12-01-scan_telnet-py-geo.csv", 3000)
    store = EventStore(tmp_path / "store")
    summary = ingest(Source(path), store, "imp-s", options=ImportOptions(tlp="green", feed_provider="Partner CSIRT"))
    assert (summary.read, summary.stored, summary.quarantined) == (3000, 3000, 0)
    con = duckdb.connect()
    for file in store.files():
        described = {
            row[0]: row[1]
            for row in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{file}', hive_partitioning = false)"
            ).fetchall()
        }
        expected = {
            name: sql_type.replace("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE") for name, sql_type in FIELD_TYPES.items()
        }
        assert described == expected, file.name
    store.register(con)
    values = con.execute(
        """
        SELECT DISTINCT "classification.taxonomy", "classification.type", "classification.identifier",
               "feed.name", "feed.provider", tlp, import_id, severity, "time.precision", "protocol.application"
        FROM events
        """
    ).fetchall()
    assert values == [
        (
            "vulnerable",
            "vulnerable-system",
            "open-telnet",
            "scan_telnet",
            "Shadowserver",
            "green",
            "imp-s",
            "unknown",
            "second",
            "telnet",
        )
    ]
    # The fields that vary per row are untouched.
    assert con.execute('SELECT count(DISTINCT "source.ip"), count(DISTINCT "source.asn") FROM events').fetchone() == (
        3000,
        3,
    )
    # The report names its provider, which wins over the import's default; the TLP came from the
    # import. Constant values compare as text in every query the product runs.
    assert con.execute("""SELECT count(*) FROM events WHERE "feed.provider" LIKE 'Shadow%'""").fetchone() == (3000,)
    assert con.execute("SELECT count(*) FROM events WHERE tlp || '' = 'green'").fetchone() == (3000,)


def test_only_fields_that_cannot_vary_are_written_as_constants() -> None:
    staged = {
        "feed.name": "scan_telnet",
        "classification.type": "vulnerable-system",
        "tlp": None,  # nothing in the file: the import's option applies to every row
        "feed.provider": "Shadowserver",
        "severity": None,
        "victim.sector": "government",  # enriched from the constituency: may differ per row
        "source.asn": 64500,  # not text
        "malware.name": None,  # NULL on every row: nothing to write
        "event_id": "x",  # computed by the pipeline
    }
    fixed = constant_text(staged, "imp-1", ImportOptions(tlp="red", feed_provider="Ignored"))
    assert fixed == {
        "import_id": "imp-1",
        "feed.name": "scan_telnet",
        "classification.type": "vulnerable-system",
        "tlp": "red",
        "feed.provider": "Shadowserver",
        "severity": "unknown",
    }
    # A field a chunk does not declare constant stays as it is (STIX, MISP and VERIS rows vary).
    assert constant_text({}, "imp-2", ImportOptions()) == {"import_id": "imp-2"}


def test_a_constant_with_quotes_is_written_as_it_is(tmp_path: Path) -> None:
    """Constants come from users' column mappings: quotes in them stay text, never SQL."""
    con = duckdb.connect()
    value = "it's a \"test\"'); DROP TABLE x; --"
    target = tmp_path / "one.parquet"
    con.execute(
        f"COPY (SELECT {_written('feed.provider', value)} FROM (SELECT ? AS \"feed.provider\")) TO '{target}'", [value]
    )
    assert con.execute(f"SELECT \"feed.provider\" FROM read_parquet('{target}')").fetchone() == (value,)
