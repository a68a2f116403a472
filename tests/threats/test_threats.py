"""Threat evidence through the platform: the ingest and export commands, uploads, the event
browser and API with TLP, the constituency, column mappings, and a killed import run again."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.analytics.metrics import Scope
from cyberplan.analytics.periods import parse_period
from cyberplan.analytics.service import compute
from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.pipeline import synth
from cyberplan.pipeline.query import connect
from cyberplan.threats.actions import do_import_constituency_csv, do_save_mapping
from cyberplan.threats.models import ConstituencyEntry, Import
from cyberplan.threats.store import event_store
from tests import dbutil
from tests.conftest import World

from .conftest import SAMPLES

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

TELNET = SAMPLES / "2026-11-28-scan_telnet-py-geo.csv"
ROOT = Path(__file__).resolve().parents[2]


def ingest(world: World, *paths: Path, **options: object) -> str:
    out = io.StringIO()
    call_command("ingest", *[str(p) for p in paths], organisation=world.org_a.slug, stdout=out, **options)
    return out.getvalue()


def stored_events(world: World) -> list[dict[str, object]]:
    con = connect(event_store(world.org_a))
    cursor = con.execute('SELECT * FROM events ORDER BY "time.source", "source.ip"')
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    con.close()
    return rows


def test_ingest_command_stores_quarantines_and_adds_up(world: World) -> None:
    output = ingest(world, TELNET)
    record = Import.objects.get()
    assert record.status == "succeeded", record.message
    assert (record.read, record.stored, record.duplicates, record.quarantined) == (9, 5, 1, 3)
    assert record.adds_up
    assert "scan_telnet" in output and "succeeded" in output
    events = stored_events(world)
    assert [e["source.ip"] for e in events] == ["181.120.1.2", "181.120.1.3", "181.120.1.9", "10.1.2.3", "2800:ac::2"]
    assert events[2]["classification.identifier"] is not None and events[2]["source.asn"] is None  # the short row
    # A private address has no country: unknown stays unknown.
    private = events[3]
    assert private["source.geolocation.cc"] is None and private["victim.country"] is None
    assert events[0]["classification.taxonomy"] == "vulnerable"
    assert json.loads(str(events[0]["extra"]))["banner"] == "login:"
    quarantine = duckdb.sql(
        f"SELECT line, field FROM read_parquet('{event_store(world.org_a).quarantine_file(str(record.pk))}') ORDER BY line"
    ).fetchall()
    # Line 8 lacks its last columns: read as empty fields, as IntelMQ reads it, not quarantined.
    assert quarantine == [(5, "timestamp"), (6, "ip"), (7, "port")]
    audit = AuditEntry.objects.filter(content_type__model="import", object_id=str(record.pk))
    assert [a.action for a in audit.order_by("id")] == ["create", "update"]


def test_the_same_file_again_is_skipped_or_deduplicated(world: World) -> None:
    ingest(world, TELNET)
    ingest(world, TELNET)
    second = Import.objects.order_by("created_at").last()
    assert second is not None and second.status == "skipped"
    assert "already imported" in second.message
    ingest(world, TELNET, force=True)
    third = Import.objects.order_by("created_at").last()
    assert third is not None and third.status == "succeeded"
    assert (third.stored, third.duplicates) == (0, 6)
    assert len(stored_events(world)) == 5


def test_ingest_refuses_unknown_formats_with_a_clear_message(world: World, tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\n")
    with pytest.raises(CommandError):
        ingest(world, odd)
    record = Import.objects.get()
    assert record.status == "failed"
    assert "notes.txt: the format was not recognised" in record.message
    with pytest.raises(CommandError, match="no organisation"):
        call_command("ingest", str(TELNET), organisation="nope", stdout=io.StringIO())


def test_compressed_input_and_bombs(world: World, tmp_path: Path, settings: Settings) -> None:
    import gzip

    packed = tmp_path / "2026-11-28-scan_telnet-py-geo.csv.gz"
    packed.write_bytes(gzip.compress(TELNET.read_bytes()))
    ingest(world, packed)
    assert Import.objects.get().stored == 5
    bomb = tmp_path / "2026-11-29-scan_telnet-py-geo.csv.gz"
    bomb.write_bytes(gzip.compress(b"timestamp,ip\n" + b"0" * 5_000_000))
    settings.CYBERPLAN_MAX_IMPORT_BYTES = 1_000_000
    with pytest.raises(CommandError):
        ingest(world, bomb)
    refused = Import.objects.get(file_name=bomb.name)
    assert refused.status == "failed" and "decompression bomb" in refused.message


def test_export_uses_dotted_names_and_escapes_formulas(world: World, tmp_path: Path) -> None:
    ingest(world, TELNET)
    for fmt in ("jsonl", "csv", "parquet"):
        target = tmp_path / f"events.{fmt}"
        out = io.StringIO()
        call_command("events", "export", organisation=world.org_a.slug, format=fmt, output=str(target), stdout=out)
        assert "Wrote 5 events" in out.getvalue()
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert first["source.ip"] == "181.120.1.2" and first["time.source"] == "2026-11-28T01:02:03Z"
    rows = list(csv.DictReader(io.StringIO((tmp_path / "events.csv").read_text())))
    assert rows[1]["source.reverse_dns"].startswith("'=cmd")
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{tmp_path / 'events.parquet'}')").fetchall() == [(5,)]
    filtered = tmp_path / "v6.jsonl"
    call_command(
        "events",
        "export",
        organisation=world.org_a.slug,
        format="jsonl",
        output=str(filtered),
        asn=27895,
        stdout=io.StringIO(),
    )
    assert [json.loads(line)["source.ip"] for line in filtered.read_text().splitlines()] == ["2800:ac::2"]


def test_constituency_enriches_owner_and_sector(world: World) -> None:
    result = do_import_constituency_csv(
        None,
        world.org_a,
        b"network,asn,as_name,holder,sector,country\n181.120.0.0/16,23201,Telecel,Telecel,telecommunications,PY\n"
        b"181.120.1.0/24,23201,Telecel,Ministerio de Ejemplo,government,PY\n",
        "c.csv",
    )
    assert (result.created, result.errors) == (2, [])
    ingest(world, TELNET)
    events = {e["source.ip"]: e for e in stored_events(world)}
    assert events["181.120.1.2"]["victim.organisation"] == "Ministerio de Ejemplo"
    assert events["181.120.1.2"]["victim.sector"] == "government"
    assert events["181.120.1.2"]["source.network"] == "181.120.1.0/24"
    assert events["2800:ac::2"]["victim.organisation"] is None  # outside the constituency: unknown


def test_constituency_holder_type_reaches_the_events(world: World) -> None:
    # A state utility in the energy sector is a public body: its events carry the type, the sector stays.
    result = do_import_constituency_csv(
        None,
        world.org_a,
        b"network,asn,as_name,holder,holder_type,sector,country\n"
        b"181.120.0.0/16,23201,Telecel,Telecel,individuals,telecommunications,PY\n"
        b"181.120.1.0/24,23201,Telecel,Administracion Nacional de Electricidad,Public,energy,PY\n",
        "c.csv",
    )
    assert (result.created, result.errors) == (2, [])
    entry = ConstituencyEntry.objects.get(network="181.120.1.0/24")
    assert (entry.holder_type, entry.sector.code if entry.sector else None) == ("public", "energy")
    ingest(world, TELNET)
    events = {e["source.ip"]: e for e in stored_events(world)}
    assert events["181.120.1.2"]["victim.organisation_type"] == "public"
    assert events["181.120.1.2"]["victim.sector"] == "energy"
    assert events["2800:ac::2"]["victim.organisation_type"] is None  # outside the constituency: unknown


def test_constituency_csv_refuses_an_unknown_holder_type(world: World) -> None:
    result = do_import_constituency_csv(
        None, world.org_a, b"network,holder,holder_type\n181.120.0.0/16,Telecel,state\n", "c.csv"
    )
    assert result.created == 0
    [(line, column, reason)] = result.errors
    assert (line, column) == (2, "holder_type") and "state" in reason and "public" in reason
    assert not ConstituencyEntry.objects.exists()


def test_constituency_csv_is_all_or_nothing_with_line_numbers(world: World) -> None:
    result = do_import_constituency_csv(
        None,
        world.org_a,
        b"network,asn,holder,sector,country\n181.120.0.0/16,AS23201,Telecel,telecommunications,PY\n"
        b"not-a-net,x,,nowhere,PRY\n",
        "c.csv",
    )
    assert result.created == 0
    assert {(line, column) for line, column, _reason in result.errors} == {
        (3, "network"),
        (3, "asn"),
        (3, "holder"),
        (3, "sector"),
        (3, "country"),
    }
    assert not ConstituencyEntry.objects.exists()


def test_upload_runs_as_a_job_with_progress(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    upload = SimpleUploadedFile(TELNET.name, TELNET.read_bytes(), content_type="text/csv")
    response = client.post(
        "/threats/", {"organisation": world.org_a.pk, "file": upload, "format": "auto", "tlp": "green"}
    )
    assert response.status_code == 302
    record = Import.objects.get()
    assert response["Location"] == f"/threats/imports/{record.pk}/"
    assert record.job is not None and record.job.status == "queued"
    run_job.call(
        str(record.job.pk)
    )  # the worker's task, run here; tests/threats/test_worker_import.py uses the real worker
    record.refresh_from_db()
    job = Job.objects.get(pk=record.job.pk)
    assert record.status == "succeeded" and job.status == "succeeded"
    assert job.progress_done == job.progress_total == 5
    page = client.get(f"/threats/imports/{record.pk}/").content.decode()
    assert "not a port number (0-65535): 99999" in page
    download = client.get(f"/threats/imports/{record.pk}/quarantine.csv").content.decode()
    assert "not a timestamp: not a time" in download
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/threats/imports/{record.pk}/").status_code == 404


def test_upload_limits_and_permissions(world: World, settings: Settings) -> None:
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    upload = SimpleUploadedFile(TELNET.name, TELNET.read_bytes(), content_type="text/csv")
    assert (
        client.post(
            "/threats/", {"organisation": world.org_a.pk, "file": upload, "format": "auto", "tlp": "green"}
        ).status_code
        == 403
    )
    settings.CYBERPLAN_MAX_IMPORT_UPLOAD_BYTES = 100
    client.force_login(world.users[Role.ANALYST])
    upload = SimpleUploadedFile(TELNET.name, TELNET.read_bytes(), content_type="text/csv")
    response = client.post(
        "/threats/", {"organisation": world.org_a.pk, "file": upload, "format": "auto", "tlp": "green"}
    )
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not Import.objects.exists()


@pytest.mark.parametrize(
    ("role", "visible"),
    [(Role.COORDINATOR, 5), (Role.VIEWER, 0), (Role.EXTERNAL_PARTNER, 0)],
)
def test_event_browser_and_api_apply_tlp(world: World, role: str, visible: int) -> None:
    ingest(world, TELNET, tlp="red")
    client = Client()
    client.force_login(world.users[role])
    assert client.get("/threats/events/").context["total"] == visible
    api = APIClient()
    api.force_authenticate(world.users[role])
    body = api.get("/api/events/", {"organisation": world.org_a.pk}).json()
    assert body["count"] == visible
    if visible:
        assert body["results"][0]["time.source"].endswith("Z")
    api.force_authenticate(world.outsider)
    assert api.get("/api/events/", {"organisation": world.org_a.pk}).status_code == 404


def test_event_browser_filters(world: World) -> None:
    ingest(world, TELNET, tlp="green")
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    assert client.get("/threats/events/", {"country": "unknown"}).context["total"] == 1
    assert client.get("/threats/events/", {"asn": 27895}).context["total"] == 1
    assert client.get("/threats/events/", {"since": "2026-11-29"}).context["total"] == 0
    response = client.get("/threats/events/", {"since": "2026-11-29", "until": "2026-11-01"})
    assert response.status_code == 400


def test_reading_an_empty_store_creates_nothing(world: World) -> None:
    """The pages and the API that read an organisation's events leave the data directory alone until
    the organisation's first import."""
    root = event_store(world.org_a).root
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    assert client.get("/threats/events/").context["total"] == 0
    assert client.get("/trends/", {"organisation": world.org_a.pk}).status_code == 200
    api = APIClient()
    api.force_authenticate(world.users[Role.COORDINATOR])
    assert api.get("/api/events/", {"organisation": world.org_a.pk}).json()["count"] == 0
    assert not root.exists()
    ingest(world, TELNET)
    assert (root / "events" / "_commits").is_dir()


def test_source_and_victim_country_are_separate_filters(world: World, tmp_path: Path) -> None:
    """An incident record has a victim country but no address: only the victim-country filter finds it."""
    ingest(world, TELNET, tlp="green")
    ingest(world, ROOT / "tests/pipeline/samples/veris/incident-1.4.json", format="veris", tlp="green")
    client = Client()
    client.force_login(world.users[Role.VIEWER])

    def total(**query: str) -> int:
        response = client.get("/threats/events/", query)
        assert response.status_code == 200
        return int(response.context["total"])

    everything = total()
    by_source = total(country="PY")
    by_victim = total(victim_country="PY")
    assert by_victim == by_source + 1  # the incident: victim in PY, no source address
    assert total(country="unknown") == total(victim_country="unknown") + 1  # the incident has no source country
    assert total(country="PY", victim_country="PY") == by_source
    assert everything > by_victim
    assert "Victim country" in client.get("/threats/events/").content.decode()
    incident = client.get("/threats/events/", {"victim_country": "PY", "country": "unknown"}).content.decode()
    assert "<td>unknown / PY</td>" in incident  # the table shows both countries

    api = APIClient()
    api.force_authenticate(world.users[Role.VIEWER])
    body = api.get("/api/events/", {"organisation": world.org_a.pk, "victim_country": "py"}).json()
    assert body["count"] == by_victim
    assert {r["victim.country"] for r in body["results"]} == {"PY"}

    output = tmp_path / "victims.jsonl"
    call_command(
        "events", "export", organisation=world.org_a.slug, format="jsonl", output=str(output),
        victim_country="PY", stdout=io.StringIO(),
    )  # fmt: skip
    exported = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == by_victim
    assert any(e["source.ip"] is None and e["feed.name"] for e in exported)


def test_mapping_builder_saves_and_imports_any_csv(world: World, tmp_path: Path) -> None:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    sample = b"when;address;what\n2026-10-01T10:00:00Z;181.120.9.9;phishing kit\n2026-10-01T11:00:00Z;not-an-ip;x\n"
    preview = client.post(
        "/threats/mappings/new/",
        {
            "step": "preview",
            "organisation": world.org_a.pk,
            "delimiter": ";",
            "sample": SimpleUploadedFile("s.csv", sample),
        },
    )
    assert preview.status_code == 200
    assert [c["name"] for c in preview.context["columns"]] == ["when", "address", "what"]
    saved = client.post(
        "/threats/mappings/new/",
        {
            "step": "save",
            "organisation": world.org_a.pk,
            "delimiter": ";",
            "name": "partner-feed",
            "header": json.dumps(["when", "address", "what"]),
            "field_0": "time.source",
            "convert_0": "timestamp",
            "field_1": "source.ip",
            "convert_1": "ip",
            "field_2": "",
            "const_classification.taxonomy": "fraud",
            "const_classification.type": "phishing",
        },
    )
    assert saved.status_code == 302
    path = tmp_path / "partner.csv"
    path.write_bytes(sample)
    ingest(world, path, format="csv", mapping="partner-feed")
    record = Import.objects.get()
    assert (record.stored, record.quarantined) == (1, 1)
    event = stored_events(world)[0]
    assert event["feed.name"] == "partner-feed" and event["classification.type"] == "phishing"
    assert json.loads(str(event["extra"])) == {"what": "phishing kit"}


def test_mapping_without_a_time_column_is_refused(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="time of the event"):
        do_save_mapping(None, world.org_a, name="bad", columns={"ip": {"field": "source.ip", "convert": "ip"}})


def test_api_import_upload(world: World) -> None:
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    with TELNET.open("rb") as handle:
        response = api.post("/api/imports/", {"organisation": world.org_a.pk, "file": handle}, format="multipart")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "pending"
    api.force_authenticate(world.outsider)
    with TELNET.open("rb") as handle:
        response = api.post("/api/imports/", {"organisation": world.org_a.pk, "file": handle}, format="multipart")
    assert response.status_code == 400
    assert api.get("/api/imports/").json()["results"] == []


def test_the_jobs_api_shows_no_server_path_of_an_upload(world: World) -> None:
    """The import job keeps where the upload waits on the server; its readers see the import, not the path."""
    api = APIClient()
    api.force_authenticate(world.users[Role.COORDINATOR])
    with TELNET.open("rb") as handle:
        response = api.post("/api/imports/", {"organisation": world.org_a.pk, "file": handle}, format="multipart")
    assert response.status_code == 202, response.json()
    job = Import.objects.get().job
    assert job is not None and job.parameters["path"]
    shown = api.get(f"/api/jobs/{job.pk}/").json()
    assert "path" not in shown["parameters"]
    assert shown["parameters"]["import_id"] == str(Import.objects.get().pk)
    assert job.parameters["path"] not in api.get("/api/jobs/").content.decode()


def test_killed_import_leaves_nothing_and_runs_again(tmp_path: Path) -> None:
    """Kill a real import process half-way, then run it again: nothing partial is ever visible,
    and the rerun stores each event exactly once."""
    from cyberplan.pipeline.store import EventStore

    feed = tmp_path / "feed"
    synth.generate(
        feed, events=400_000, month="2026-10", networks=[(181 << 24) + (120 << 16) + (k << 8) for k in range(64)]
    )
    big = tmp_path / "2026-10-01-scan_telnet-py-geo-synthetic.csv"
    with big.open("wb") as out:
        for index, part in enumerate(sorted(feed.glob("*scan_telnet*"))):
            lines = part.read_bytes().splitlines(keepends=True)
            out.writelines(lines if index == 0 else lines[1:])
    store_root = tmp_path / "store"
    script = (
        "import sys; from pathlib import Path; from cyberplan.pipeline.ingest import ingest; "
        "from cyberplan.pipeline.store import EventStore; from cyberplan.pipeline.importers.base import Source; "
        "s = ingest(Source(Path(sys.argv[1])), EventStore(Path(sys.argv[2])), sys.argv[3]); print(s.stored)"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(big), str(store_root), "killed"], cwd=dbutil.ROOT)
    work = store_root / ".work"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (work.exists() and any(work.iterdir())):
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    store = EventStore(store_root)
    assert "killed" not in store.committed_imports()
    con = duckdb.connect()
    store.register(con)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
    # Worst case: files moved into place but the commit marker never written. Still invisible.
    orphan = store.events_dir / "month=2026-10" / "orphan.parquet"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY (SELECT 'x' AS event_id) TO '{orphan}' (FORMAT parquet)")
    store.register(con)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
    first = subprocess.run(
        [sys.executable, "-c", script, str(big), str(store_root), "rerun"],
        cwd=dbutil.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    again = subprocess.run(
        [sys.executable, "-c", script, str(big), str(store_root), "again"],
        cwd=dbutil.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    store.register(con)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()  # type: ignore[misc]
    assert total == distinct == int(first.stdout.strip()) > 0
    assert int(again.stdout.strip()) == 0
    assert not orphan.exists()  # the next import cleaned the leftover
    con.close()


def test_synth_command_writes_marked_reports_that_import(world: World, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(
        "synth", events=2000, country="PY", output=str(tmp_path / "feeds"), month="2026-10", monthly=True, stdout=out
    )
    assert "Wrote 2,000 synthetic events for PY" in out.getvalue()
    files = sorted((tmp_path / "feeds").glob("*.csv"))
    assert len(files) == 4
    assert files[0].name == "2026-10-01-event4_honeypot_brute_force-py-geo-synthetic.csv"
    ingest(world, *files)
    assert sum(r.read for r in Import.objects.all()) == 2000
    events = stored_events(world)
    assert {e["source.geolocation.cc"] for e in events} == {"PY"}
    assert all(json.loads(str(e["extra"]))["synthetic"] == "cyberplan" for e in events)
    with pytest.raises(CommandError, match="two-letter"):
        call_command("synth", events=10, country="Paraguay", output=str(tmp_path), stdout=io.StringIO())


def test_demo_threat_evidence_runs_twice_without_duplicates(world: World, tmp_path: Path, settings: Settings) -> None:
    from cyberplan.threats.demo import build_threat_demo

    settings.DATA_DIR = tmp_path / "data"
    messages: list[str] = []
    first = build_threat_demo(world.org_b, messages.append, events=3000)
    imports = Import.objects.count()
    second = build_threat_demo(world.org_b, messages.append, events=3000)
    assert first["constituency"] == 16 and first["stored"] >= 3000 + 2250 - 5
    assert second == {"constituency": 0, "imports": 0, "stored": 0}
    # two synthetic months: the trend tables (refreshed after each import) show brute force rising
    last = (dt.datetime.now(dt.UTC).date().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    results = compute(event_store(world.org_b), Scope(parse_period(last)), trend_tables=True, only=["change_previous"])
    flags = {(r["dimension"], r["series"]): r["flag"] for r in results.rows("change_previous")}
    assert flags[("type", "brute-force")] == "rise"
    assert flags[("type", "vulnerable-system")] == ""
    assert Import.objects.count() == imports
    assert all(e.note == "Illustrative demo data" for e in ConstituencyEntry.objects.filter(organisation=world.org_b))


def test_the_operators_mmdb_fills_what_the_feed_and_registry_data_leave_unknown(
    world: World, tmp_path: Path, settings: Settings
) -> None:
    from tests.pipeline.mmdb import write_mmdb

    settings.CYBERPLAN_MMDB_PATH = write_mmdb(
        tmp_path / "operator.mmdb",
        {"192.0.2.0/24": {"country": {"iso_code": "PY"}, "autonomous_system_number": 64501}},
        database_type="Test-Country-ASN",
    )
    report = tmp_path / "2026-11-28-scan_telnet-py-geo.csv"
    report.write_text(
        '"timestamp","ip","protocol","port","hostname","tag","asn","geo"\n'
        '"2026-11-28 01:00:00","192.0.2.7","tcp",23,"","telnet",,""\n'
        '"2026-11-28 01:05:00","198.51.100.7","tcp",23,"","telnet",,""\n',
        encoding="utf-8",
    )
    ingest(world, report)
    by_ip = {e["source.ip"]: e for e in stored_events(world)}
    assert by_ip["192.0.2.7"]["source.geolocation.cc"] == "PY"
    assert by_ip["192.0.2.7"]["source.asn"] == 64501
    assert by_ip["198.51.100.7"]["source.geolocation.cc"] is None  # the database does not know it
