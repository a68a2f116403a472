"""The event browser's reading path: an address or network search through the address indexes equals
a plain scan of the raw files (IPv4 and IPv6, stores with and without indexes), cursor paging visits
every event once, and the process's file list sees a new import."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import random
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cyberplan.pipeline import query
from cyberplan.pipeline.importers.base import ImportOptions, Source
from cyberplan.pipeline.ingest import ingest
from cyberplan.pipeline.query import EventFilter, decode_cursor, encode_cursor, page, parse_network, reader
from cyberplan.pipeline.store import EventStore

HEADER = '"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city"\n'
V4_NETWORKS = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/25", "10.1.0.0/16"]
V6_NETWORKS = ["2001:db8::/48", "2001:db8:0:1::/64", "2001:db8:ffff::/48"]


def addresses(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    result = []
    for _ in range(count):
        network = ipaddress.ip_network(rng.choice(V4_NETWORKS + V6_NETWORKS))
        offset = rng.randrange(min(network.num_addresses, 1 << 20))
        result.append((network.network_address + offset).compressed)
    # The same address many times, and the ends of a network.
    return [
        *result,
        "192.0.2.7",
        "192.0.2.7",
        "192.0.2.7",
        "192.0.2.0",
        "192.0.2.255",
        "2001:db8::1",
        "::1",
        "2001:db8:0:1:8000::5",
        "2001:db8:0:1:7fff::5",
    ]


def report(path: Path, ips: list[str], day: int) -> Path:
    lines = [HEADER]
    for index, ip in enumerate(ips):
        lines.append(
            f'"2026-11-{day:02d} {index // 3600 % 24:02d}:{index // 60 % 60:02d}:{index % 60:02d}",'
            f'"{ip}","tcp",23,"h{index}.example.py","telnet",{64500 + index % 3},"PY","CENTRAL","LUQUE"\n'
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def add_import(tmp_path: Path, store: EventStore, name: str, seed: int, tlp: str, day: int) -> None:
    path = report(tmp_path / f"2026-11-{day:02d}-scan_telnet-py-geo.csv", addresses(seed, 600), day)
    ingest(Source(path), store, name, options=ImportOptions(tlp=tlp))
    store.index_import(name)  # as the import's job does once the import has committed


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EventStore]:
    tmp = tmp_path_factory.mktemp("search")
    indexed = EventStore(tmp / "indexed")
    add_import(tmp, indexed, "imp-a", 1, "green", 3)
    add_import(tmp, indexed, "imp-b", 2, "amber", 4)
    # A store as written before the address index: the same events, no index files.
    plain = EventStore(tmp / "plain")
    shutil.copytree(indexed.root, plain.root)
    shutil.rmtree(plain.events_dir / "_index")
    reader().forget()
    return {"indexed": indexed, "plain": plain}


def scan(store: EventStore, network: str, labels: tuple[str, ...] | None = None) -> list[str]:
    """The event ids whose address is in ``network``, by reading every raw file and asking Python."""
    con = duckdb.connect()
    files = [str(p) for p in store.files()]
    rows = con.execute(
        'SELECT event_id, "source.ip", tlp FROM read_parquet(?, hive_partitioning = false)', [files]
    ).fetchall()
    wanted = ipaddress.ip_network(network, strict=False)
    return sorted(
        event_id
        for event_id, ip, tlp in rows
        if ip and ipaddress.ip_address(ip) in wanted and (labels is None or tlp in labels)
    )


def searched(store: EventStore, flt: EventFilter) -> tuple[list[str], int]:
    rows, total = page(store, flt, limit=100_000)
    return sorted(row["event_id"] for row in rows), total


NETWORKS = [
    "192.0.2.7",
    "192.0.2.0/24",
    "192.0.2.0/31",
    "10.1.0.0/16",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "203.0.113.128/25",
    "2001:db8::1",
    "2001:db8::/48",
    "2001:db8:0:1::/64",
    "2001:db8:0:1:8000::/65",
    "2001:db8::/32",
    "::/0",
    "::1",
    "198.51.100.9/32",
]


@pytest.mark.parametrize("layout", ["indexed", "plain"])
@pytest.mark.parametrize("network", NETWORKS)
def test_search_equals_a_plain_scan(stores: dict[str, EventStore], layout: str, network: str) -> None:
    store = stores[layout]
    expected = scan(store, network)
    ids, total = searched(store, EventFilter(ip=network))
    assert ids == expected
    assert total == len(expected)
    labels = ("green",)
    ids, total = searched(store, EventFilter(ip=network, tlp_in=labels))
    assert ids == scan(store, network, labels)
    assert total == len(ids)


def test_the_searches_find_something(stores: dict[str, EventStore]) -> None:
    """The comparisons above are not between two empty lists."""
    for network in ("192.0.2.7", "2001:db8::/48", "2001:db8:0:1:8000::/65", "10.1.0.0/16"):
        assert scan(stores["indexed"], network), network
    assert len(scan(stores["indexed"], "192.0.2.7")) >= 6  # three rows in each import


@pytest.mark.parametrize("count_by_rows", [5000, 0])
def test_search_with_other_filters_and_dates(
    stores: dict[str, EventStore], count_by_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count of an indexed search with a filter the index does not hold: from the candidate rows,
    or (count_by_rows 0: too many candidates) by a scan."""
    monkeypatch.setattr(query, "COUNT_BY_ROWS", count_by_rows)
    reader().forget()
    for store in stores.values():
        flt = EventFilter(ip="2001:db8::/32", asn=64501, since=dt.datetime(2026, 11, 4, tzinfo=dt.UTC))
        rows, total = page(store, flt, limit=100_000)
        assert rows and total == len(rows)
        assert all(row["source.asn"] == 64501 and row["time.source"].day == 4 for row in rows)
        every, _ = page(store, EventFilter(asn=64501, since=flt.since), limit=100_000)
        assert sorted(r["event_id"] for r in rows) == sorted(
            r["event_id"]
            for r in every
            if ipaddress.ip_address(r["source.ip"]) in ipaddress.ip_network("2001:db8::/32")
        )


def test_no_label_finds_nothing(stores: dict[str, EventStore]) -> None:
    assert page(stores["indexed"], EventFilter(ip="192.0.2.0/24", tlp_in=()))[0:2] == ([], 0)


@pytest.mark.parametrize("first_read", [4096, 1])
@pytest.mark.parametrize(
    "flt",
    [
        EventFilter(),
        EventFilter(ip="192.0.2.0/24"),
        EventFilter(ip="2001:db8::/48"),
        EventFilter(asn=64502),
        EventFilter(until=dt.datetime(2026, 11, 4, tzinfo=dt.UTC)),
        EventFilter(
            since=dt.datetime(2026, 11, 4, 0, 5, tzinfo=dt.UTC), until=dt.datetime(2026, 11, 4, 0, 9, tzinfo=dt.UTC)
        ),
    ],
)
def test_cursor_paging_visits_every_event_once(
    stores: dict[str, EventStore], flt: EventFilter, first_read: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when a page first reads only the newest row group (first_read 1): each import is one
    row group here, so the page is found after one, two or three bounds."""
    monkeypatch.setattr(query, "FIRST_READ", first_read)
    store = stores["indexed"]
    everything, total = page(store, flt, limit=100_000)
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        rows, count = page(store, flt, limit=37, after=after)
        assert count == total
        if not rows:
            break
        seen.extend(rows)
        after = decode_cursor(encode_cursor(rows[-1]))
    assert [r["event_id"] for r in seen] == [r["event_id"] for r in everything]
    assert len({r["event_id"] for r in seen}) == total > 37
    # Offsets still give the same pages.
    second, _ = page(store, flt, limit=37, offset=37)
    assert second == everything[37:74]


def test_a_new_import_is_seen_and_reindex_adds_the_index(tmp_path: Path) -> None:
    store = EventStore(tmp_path / "store")
    add_import(tmp_path, store, "imp-1", 5, "green", 6)
    first = page(store, EventFilter(ip="192.0.2.0/24"))[1]
    assert reader().snapshot(store).indexes
    assert first == len(scan(store, "192.0.2.0/24"))
    add_import(tmp_path, store, "imp-2", 6, "green", 7)
    assert page(store, EventFilter(ip="192.0.2.0/24"))[1] == len(scan(store, "192.0.2.0/24")) > first
    assert page(store, EventFilter())[1] == 2 * len(addresses(0, 600))
    # An import committed but not yet indexed (its job indexes it next): seen at once, by a scan.
    path = report(tmp_path / "2026-11-08-scan_telnet-py-geo.csv", addresses(7, 600), 8)
    ingest(Source(path), store, "imp-3", options=ImportOptions(tlp="green"))
    assert not reader().snapshot(store).indexes
    assert page(store, EventFilter(ip="192.0.2.0/24"))[1] == len(scan(store, "192.0.2.0/24"))
    assert store.index_import("imp-3") == len([p for p in store.files() if p.name.startswith("imp-3")])
    assert reader().snapshot(store).indexes
    assert page(store, EventFilter(ip="192.0.2.0/24"))[1] == len(scan(store, "192.0.2.0/24"))
    # Without its indexes the store still answers (by a scan); reindex writes them again.
    shutil.rmtree(store.events_dir / "_index")
    assert page(store, EventFilter(ip="2001:db8::/48"))[1] == len(scan(store, "2001:db8::/48"))
    written = store.reindex()
    assert written == len(store.files())
    assert all(store.index_file(p).exists() for p in store.files())
    assert reader().snapshot(store).indexes
    assert page(store, EventFilter(ip="2001:db8::/48"))[1] == len(scan(store, "2001:db8::/48"))


@pytest.mark.parametrize("text", ["", "192.0.2", "192.0.2.0/33", "example.org", "1.2.3.4/24/1", "x" * 60])
def test_bad_network_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an address or a network"):
        parse_network(text)
    with pytest.raises(ValueError, match="not an address or a network"):
        dataclasses.replace(EventFilter(), ip=text or "-").where()


@pytest.mark.parametrize("text", ["", "abc", "12", "12.", ".abc", "1 2.abc", "12.a'b", "99999999999999999999999.x"])
def test_bad_cursor_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a position"):
        decode_cursor(text)
