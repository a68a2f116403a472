"""Pooled raw events: the member's export, the regional intake (pooled or refused, audited, idempotent) and the
regional metric set over the pool on DuckDB, from the command line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import AuditAction, OrganisationType, Role
from cyberplan.core.models import AuditEntry, Organisation
from cyberplan.regional import intake, pooled
from cyberplan.regional.models import Member, PooledBatch
from cyberplan.regional.pooled_metrics import MEMBER_COLUMN, POOLED_FIELDS
from cyberplan.regional.pooled_store import FORMAT_KEY
from cyberplan.threats.store import store_root
from tests.analytics.support import event, write_store
from tests.conftest import World, make_user

pytestmark = pytest.mark.django_db

#: (time, address, type, label): the member's store; only CLEAR and GREEN may leave it.
PY_EVENTS = [
    ("2026-04-03T10:00:00", "181.120.0.1", "vulnerable-system", "clear"),
    ("2026-04-20T10:00:00", "181.120.0.1", "vulnerable-system", "green"),
    ("2026-05-02T10:00:00", "181.120.0.2", "brute-force", "clear"),
    ("2026-05-02T11:00:00", "181.120.0.3", "brute-force", "amber"),
    ("2026-06-30T23:59:59", "181.120.0.4", "vulnerable-system", "red"),
    ("2026-02-10T08:00:00", "181.120.0.1", "vulnerable-system", "clear"),
    ("2025-05-10T08:00:00", "181.120.0.9", "brute-force", "green"),
]
TAXONOMY = {"vulnerable-system": "vulnerable", "brute-force": "intrusion-attempts"}


@pytest.fixture(autouse=True)
def _events_dir(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def store_events(organisation: Organisation, rows: list[tuple[str, str, str, str]], import_id: str = "imp-1") -> None:
    events = [
        event(when, ip=ip, taxonomy=TAXONOMY[type_], type_=type_, tlp=tlp, organisation="Ministry", extra={"k": 1})
        for when, ip, type_, tlp in rows
    ]
    write_store(store_root(organisation), events, import_id)


@pytest.fixture
def programme(world: World) -> Organisation:
    org = Organisation.objects.create(name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY)
    for country, organisation in (("PY", world.org_a), ("UY", world.org_b)):
        member = Member(programme=org, country=country, identity_id=pooled.member_identity(organisation))
        member.shares_events = True
        intake.do_save_member(None, member)
    return org


def export(organisation: Organisation, path: Path) -> Path:
    call_command(
        "regional", "export-events", "--output", str(path), "--organisation", organisation.slug, stdout=StringIO()
    )
    return path


def pool(programme: Organisation, path: Path) -> str:
    out = StringIO()
    call_command("regional", "pool-events", str(path), "--programme", programme.slug, stdout=out)
    return out.getvalue()


def refused(programme: Organisation, path: Path) -> str:
    with pytest.raises(CommandError) as caught:
        pool(programme, path)
    return str(caught.value)


def audited(batch: PooledBatch) -> AuditEntry:
    content_type = ContentType.objects.get_for_model(PooledBatch)
    return AuditEntry.objects.get(content_type=content_type, object_id=str(batch.pk), action=AuditAction.CREATE)


def rewritten(source: Path, target: Path, change: Any = None, **metadata: str) -> Path:
    """A copy of an export with its table changed by ``change`` and metadata keys replaced."""
    table = pq.read_table(source)
    if change is not None:
        table = change(table)
    kept = dict(table.schema.metadata or {})
    kept.update({key.encode(): value.encode() for key, value in metadata.items()})
    pq.write_table(table.replace_schema_metadata(kept), target)
    return target


def test_the_export_holds_only_the_members_clear_and_green_events_and_says_who_it_is(
    world: World, programme: Organisation, tmp_path: Path
) -> None:
    store_events(world.org_a, PY_EVENTS)
    path = export(world.org_a, tmp_path / "py.parquet")
    table = pq.read_table(path)
    assert table.column_names == list(POOLED_FIELDS)  # no organisation names, no extra, no original record
    assert sorted(table["tlp"].to_pylist()) == ["clear", "clear", "clear", "green", "green"]
    metadata = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    assert metadata[FORMAT_KEY] == "1" and metadata["country"] == "PY" and metadata["rows"] == "5"
    assert metadata["identity"] == pooled.member_identity(world.org_a)


def test_an_export_is_pooled_once_audited_and_a_reimport_gives_the_same_pool(
    world: World, programme: Organisation, tmp_path: Path
) -> None:
    store_events(world.org_a, PY_EVENTS)
    path = export(world.org_a, tmp_path / "py.parquet")
    said = pool(programme, path)
    assert "pooled: PY, 5 events in the file, 5 new in the pool" in said
    store = pooled.pool_store(programme)
    files = store.files()
    assert store.counts() == {"PY": 5}
    assert set(pq.read_table(files[0])[MEMBER_COLUMN].to_pylist()) == {"PY"}
    batch = PooledBatch.objects.get()
    assert batch.accepted and batch.member is not None and batch.member.country == "PY"
    assert audited(batch).changes["added"] == [None, 5]
    # The same file again, and a later export overlapping the first: the pool holds each event once.
    assert "0 new in the pool" in pool(programme, path)
    store_events(world.org_a, [("2026-06-01T00:00:00", "181.120.0.7", "brute-force", "green")], "imp-2")
    assert "6 events in the file, 1 new in the pool" in pool(programme, export(world.org_a, tmp_path / "py2.parquet"))
    assert store.counts() == {"PY": 6}
    assert PooledBatch.objects.filter(accepted=True).count() == 3


def test_a_member_that_has_not_opted_in_is_refused_and_nothing_of_it_is_pooled(
    world: World, programme: Organisation, tmp_path: Path
) -> None:
    member = Member.objects.get(programme=programme, country="UY")
    member.shares_events = False
    intake.do_save_member(None, member)
    store_events(world.org_b, [("2026-04-03T10:00:00", "190.64.0.1", "brute-force", "clear")])
    message = refused(programme, export(world.org_b, tmp_path / "uy.parquet"))
    assert "refused (not-opted-in)" in message and "UY" in message
    assert pooled.pool_store(programme).files() == []
    batch = PooledBatch.objects.get()
    assert not batch.accepted and batch.code == "not-opted-in" and batch.claimed_country == "UY"
    assert audited(batch).changes["reason"][1] == batch.reason


@pytest.mark.parametrize(
    ("change", "metadata", "code", "words"),
    [
        (None, {"country": "BR"}, "unknown-member", "BR is not a member"),
        (None, {"identity": "identity--00000000-0000-4000-8000-000000000000"}, "forged-identity", "register knows"),
        (
            lambda t: t.set_column(t.schema.get_field_index("tlp"), "tlp", pa.array(["clear"] * 4 + ["amber"])),
            {},
            "labels",
            "1 events (the first at row 5) are labelled amber",
        ),
        (
            lambda t: t.append_column("raw", pa.array(["{}"] * 5)),
            {},
            "schema",
            "column 'raw' is not one the pool takes",
        ),
        (lambda t: t.drop_columns(["source.ip"]), {}, "schema", "column 'source.ip' is missing"),
        (None, {"rows": "4"}, "rows", "says it holds 4 events but the file holds 5"),
        (None, {FORMAT_KEY: "9"}, "format", "not a cyberplan pooled-events export"),
    ],
)
def test_a_bad_export_is_refused_whole_with_its_reason(
    world: World, programme: Organisation, tmp_path: Path, change: Any, metadata: dict[str, str], code: str, words: str
) -> None:
    store_events(world.org_a, PY_EVENTS)
    good = export(world.org_a, tmp_path / "py.parquet")
    message = refused(programme, rewritten(good, tmp_path / "bad.parquet", change, **metadata))
    assert f"refused ({code})" in message and words in message
    assert pooled.pool_store(programme).files() == []
    batch = PooledBatch.objects.get()
    assert batch.code == code and not batch.accepted
    assert audited(batch).changes["code"] == [None, code]


def test_a_file_that_is_not_parquet_is_refused(programme: Organisation, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    path.write_text("time,ip\n", encoding="utf-8")
    assert "refused (not-parquet)" in refused(programme, path)
    assert PooledBatch.objects.get().code == "not-parquet"


def test_an_unconfirmed_member_identity_is_refused(world: World, programme: Organisation, tmp_path: Path) -> None:
    member = Member.objects.get(programme=programme, country="PY")
    member.identity_id = ""
    intake.do_save_member(None, member)
    store_events(world.org_a, PY_EVENTS)
    assert "refused (identity-unconfirmed)" in refused(programme, export(world.org_a, tmp_path / "py.parquet"))


def test_the_metrics_command_counts_the_pooled_events_of_the_members_sharing_them(
    world: World, programme: Organisation, tmp_path: Path
) -> None:
    store_events(world.org_a, PY_EVENTS)
    pool(programme, export(world.org_a, tmp_path / "py.parquet"))
    out = StringIO()
    call_command(
        "regional",
        "metrics",
        "--period",
        "2026-Q2",
        "--programme",
        programme.slug,
        "--country",
        "py",
        "--format",
        "json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    rows = result["metrics"]
    assert result["engine"] == "duckdb" and result["scope"]["countries"] == ["PY"]
    # Q2 2026 at CLEAR/GREEN: two vulnerable-system events in April (one address), one brute-force in May.
    assert rows["events_by_month"] == [
        {"month": "2026-04-01", "taxonomy": "vulnerable", "country": "PY", "events": 2},
        {"month": "2026-05-01", "taxonomy": "intrusion-attempts", "country": "PY", "events": 1},
    ]
    assert [r["sources"] for r in rows["sources_by_month"]] == [1, 1]
    exposure = rows["exposure"][0]
    assert exposure["country"] == "PY" and exposure["sources"] == 2 and exposure["announced_ipv4"] > 0
    assert exposure["per_1000"] == round(2 * 1000 / exposure["announced_ipv4"], 4)
    year = {(r["dimension"], r["series"]): (r["current"], r["previous"]) for r in rows["change_year"]}
    assert year[("country", "PY")] == (3, 1) and year[("type", "brute-force")] == (1, 1)
    previous = {(r["dimension"], r["series"]): (r["current"], r["previous"]) for r in rows["change_previous"]}
    assert previous[("type", "vulnerable-system")] == (2, 1)
    # A member that stops sharing drops out of the figures at once.
    member = Member.objects.get(programme=programme, country="PY")
    member.shares_events = False
    intake.do_save_member(None, member)
    with pytest.raises(CommandError, match="No active member shares raw events"):
        call_command("regional", "metrics", "--period", "2026-Q2", "--programme", programme.slug, "--country", "PY")


def test_a_coordinator_records_the_opt_in_on_the_member_record_audited(programme: Organisation) -> None:
    member = Member.objects.get(programme=programme, country="UY")
    edit = {"country": "UY", "identity_id": member.identity_id, "active": "on"}  # the box left unticked
    analyst, coordinator = Client(), Client()
    analyst.force_login(make_user("p-analyst", programme, Role.ANALYST))
    coordinator.force_login(make_user("p-coordinator", programme, Role.COORDINATOR))
    url = reverse("regional:member_edit", args=[member.pk])
    assert analyst.post(url, edit).status_code == 403
    assert 'name="shares_events"' in coordinator.get(url).content.decode()
    assert coordinator.post(url, edit).status_code == 302
    member.refresh_from_db()
    assert not member.shares_events
    content_type = ContentType.objects.get_for_model(Member)
    entry = AuditEntry.objects.filter(content_type=content_type, object_id=str(member.pk), action=AuditAction.UPDATE)
    assert entry.get().changes["shares_events"] == [True, False]
