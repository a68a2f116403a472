"""The rows ``add_objects`` writes with its prepared ``INSERT`` are the rows the ORM writes, value by value.

``add_objects`` formats each time and each JSON body for the database itself instead of through the model's
fields. Here the same objects are written both ways, into two collections, and the stored values are read
back raw (a cursor, no field conversion) and compared: times with and without fractions, down to the
microsecond, bodies with text outside ASCII, escapes, nesting, numbers, booleans and nulls, an object
without ``modified`` and one without ``created`` either.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.db import connection

from cyberplan.sharing import actions
from cyberplan.sharing.actions import add_objects, do_create_collection
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.models import Collection, SharedObject
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS
from tests.conftest import World
from tests.sharing.conftest import Net, indicator

pytestmark = pytest.mark.django_db

COLUMNS = (
    "stix_id",
    "stix_type",
    "version",
    "version_at",
    "spec_version",
    "date_added",
    "tlp",
    "owner",
    "is_latest",
    "is_first",
    "body",
)


def objects() -> list[dict[str, Any]]:
    varied = [
        indicator(1),
        indicator(2, modified="2026-03-04T05:06:07.000Z"),
        indicator(3, modified="2026-03-04T05:06:07.123456Z"),
        indicator(4, modified="2026-03-04T05:06:07.000001Z"),
        indicator(5, modified="2026-03-04T05:06:07.500Z", tlp="amber"),
        indicator(6, tlp=None),
    ]
    for obj in varied:
        obj["created"] = obj["modified"]
    varied[0]["description"] = 'Año de la Patria ✓ 日本 "quoted" back\\slash\nline \u00e9\u0301 \U0001f512'
    varied[1]["labels"] = ["a", "b", "ü"]
    varied[2]["confidence"] = 85
    varied[3]["revoked"] = False
    varied[4]["valid_until"] = "2027-01-01T00:00:00.000000Z"
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--00000000-0000-4000-8000-000000000099",
        "created": "2025-12-31T23:59:59.999Z",
        "modified": "2025-12-31T23:59:59.999Z",
        "name": "Informe trimestral — CERT",
        "published": "2026-01-01T00:00:00Z",
        "object_refs": [varied[0]["id"], varied[1]["id"]],
        "external_references": [{"source_name": "x", "external_id": "X-1", "hashes": {"SHA-256": "a" * 64}}],
        "x_cyberplan_extra": {"nested": [1, 2.5, None, True, {"deep": []}]},
        "object_marking_refs": [TLP2_MARKING_IDS["green"]],
    }
    created_only = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--00000000-0000-4000-8000-000000000098",
        "created": "2025-06-01T12:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "Copyright CERT-PY — uso restringido"},
    }
    observable = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--00000000-0000-4000-8000-000000000097",
        "value": "198.51.100.77",
    }
    return [*varied, report, created_only, observable]


def raw_rows(collection: Collection) -> list[tuple[Any, ...]]:
    """The stored values of a collection's objects, as the database gives them (no field conversion)."""
    table = SharedObject._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(SharedObject._meta.get_field(name).column) for name in COLUMNS)
    sql = f"SELECT {columns} FROM {quote(table)} WHERE {quote('collection_id')} = %s ORDER BY {quote('stix_id')}"
    key = SharedObject._meta.get_field("collection").get_db_prep_value(collection.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        return [tuple(row) for row in cursor.fetchall()]


def test_rows_written_by_add_objects_equal_the_orm_rows(net: Net, world: World) -> None:
    given = objects()
    outcome = add_objects(net.collection, given, owner=world.org_b, default_tlp="green")
    assert not outcome.failed, outcome.failed
    assert len(outcome.added) == len(given)

    other = do_create_collection(None, net.group, title="Written by the ORM", content=CollectionContent.POSTED)
    stored = {row.stix_id: row for row in SharedObject.objects.filter(collection=net.collection)}
    SharedObject.objects.bulk_create(
        SharedObject(
            collection=other,
            stix_id=obj["id"],
            stix_type=obj["type"],
            version=stored[obj["id"]].version,
            version_at=stored[obj["id"]].version_at,
            spec_version=obj.get("spec_version", "2.1"),
            date_added=stored[obj["id"]].date_added,
            tlp=stored[obj["id"]].tlp,
            owner=world.org_b,
            is_latest=True,
            is_first=True,
            body=obj,
        )
        for obj in given
    )

    fast, orm = raw_rows(net.collection), raw_rows(other)
    assert len(fast) == len(given)
    assert fast == orm
    # The values are the ones the objects give: nothing was lost on either way.
    by_id = {row[0]: row for row in fast}
    assert by_id[given[3]["id"]][2] == "2026-03-04T05:06:07.000001Z"
    assert {row[6] for row in fast} == {"green", "amber"}
    read_back = {row.stix_id: row.body for row in SharedObject.objects.filter(collection=net.collection)}
    assert read_back == {obj["id"]: obj for obj in given}


def test_times_and_bodies_are_formatted_as_the_fields_format_them(net: Net, world: World) -> None:
    """The writer's own formatting of a time and a body, against the fields' methods on this database."""
    writer = actions._RowWriter(net.collection, world.org_a)
    body_field = SharedObject._meta.get_field("body")
    time_field = SharedObject._meta.get_field("date_added")
    times = [
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 8, 30, tzinfo=zoneinfo.ZoneInfo("America/Asuncion")),
        dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
    ]
    for value in times:
        assert writer._time(value) == time_field.get_db_prep_save(value, connection), value
    for body in objects():
        ours, theirs = writer._body(body), body_field.get_db_prep_save(body, connection)
        if connection.vendor == "sqlite":
            assert ours == theirs
        else:  # a wrapper the driver dumps: compared by what it holds
            assert ours.obj == theirs.obj
