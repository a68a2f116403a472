"""The regional programme's side: the member register, receiving packages (page, API, command), refusals kept
and audited, access by organisation and role, and the regional figures as the sum of members' packages."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cyberplan.core.choices import AuditAction, OrganisationType, Role
from cyberplan.core.models import AuditEntry, Organisation, User
from cyberplan.regional import disclosure, intake
from cyberplan.regional.models import Member, PackageRefusal, ReceivedPackage
from cyberplan.regional.package import PACKAGE_TYPE, bundle_of, bundle_text
from cyberplan.regional.regional_figures import REGION, regional_figures
from cyberplan.regional.taxii_intake import do_receive_collection
from cyberplan.sharing.actions import add_objects, do_create_collection, do_create_group
from cyberplan.sharing.stix_out import Owner
from tests.conftest import World, make_user
from tests.regional.support import CREATED, MEMBER, header, parts, threat_table

pytestmark = pytest.mark.django_db

UY = Owner(key="authority-uy", name="Authority UY", since=dt.datetime(2026, 1, 7, tzinfo=dt.UTC))


def file_of(bundle: dict[str, Any]) -> bytes:
    return bundle_text(bundle).encode()


def package_of(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in bundle["objects"] if o["type"] == PACKAGE_TYPE)


def py_file(version: int = 1, days: int = 0, **changes: Any) -> bytes:
    modified = CREATED + dt.timedelta(days=days)
    return file_of(bundle_of(header(version=version, modified=modified, **changes), parts()))


@pytest.fixture
def programme(world: World) -> Organisation:
    """A regional programme with a user of every role, and PY and UY registered as members."""
    org = Organisation.objects.create(name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY)
    for role in Role.values:
        make_user(f"p-{role}", org, role)
    Member.objects.create(programme=org, country="PY", name="Paraguay", identity_id=MEMBER.identity_id)
    Member.objects.create(programme=org, country="UY", name="Uruguay", identity_id=UY.identity_id)
    return org


def user(role: str) -> User:
    return User.objects.get(username=f"p-{role}")


def signed_in(who: User) -> Client:
    client = Client()
    client.force_login(who)
    return client


def audited(instance: Any, action: str = AuditAction.CREATE) -> list[AuditEntry]:
    content_type = ContentType.objects.get_for_model(instance)
    return list(AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk), action=action))


def test_an_accepted_package_is_stored_as_received_and_audited(programme: Organisation) -> None:
    data = py_file()
    got = intake.do_receive(user(Role.ANALYST), programme, "2026", "pkg.json", data)
    assert isinstance(got, ReceivedPackage)
    assert got.content.encode() == data and got.member.country == "PY" and got.version == 1
    assert got.tlp == "green" and got.received_by == user(Role.ANALYST) and not got.superseded
    assert len(got.content_hash) == 64
    entry = audited(got)[0]
    assert entry.organisation == programme and entry.changes["content_hash"] == [None, got.content_hash]


def test_a_newer_version_supersedes_the_older_one(programme: Organisation) -> None:
    first = intake.do_receive(None, programme, "2026", "v1.json", py_file())
    second = intake.do_receive(None, programme, "2026", "v2.json", py_file(version=2, days=3))
    assert isinstance(first, ReceivedPackage) and isinstance(second, ReceivedPackage) and second.version == 2
    first.refresh_from_db()
    assert first.superseded and not second.superseded
    assert audited(first, AuditAction.UPDATE)[0].changes == {"superseded": [False, True]}


def forged() -> bytes:
    forger = Owner(key="someone-else", name="Authority PY", since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return file_of(bundle_of(header(member=forger), parts()))


def schema_broken() -> bytes:
    bundle = bundle_of(header(), parts())
    package_of(bundle)["threats"]["rows"][0]["sector"] = ""
    return file_of(bundle)


def not_suppressed() -> bytes:
    bundle = bundle_of(header(), parts())
    package_of(bundle)["threats"]["rows"][1]["events"] = {"value": 4}
    return file_of(bundle)


@pytest.mark.parametrize(
    ("make", "period", "code", "country"),
    [
        (py_file, "2025", "wrong-period", "PY"),
        (lambda: file_of(bundle_of(header(country="BR"), parts())), "2026", "unknown-member", "BR"),
        (forged, "2026", "forged-identity", "PY"),
        (schema_broken, "2026", "schema", "PY"),
        (not_suppressed, "2026", "not-suppressed", "PY"),
        (lambda: b"{not json", "2026", "not-json", ""),
        (lambda: b'{"type": "bundle", "objects": []}', "2026", "no-package", ""),
    ],
)
def test_each_refusal_is_kept_with_its_reason_and_audited(
    programme: Organisation, make: Any, period: str, code: str, country: str
) -> None:
    refusal = intake.do_receive(user(Role.ANALYST), programme, period, "bad.json", make())
    assert isinstance(refusal, PackageRefusal)
    assert refusal.code == code and refusal.reason and refusal.claimed_country == country
    assert refusal.period == period and len(refusal.content_hash) == 64
    assert not ReceivedPackage.objects.exists()
    entry = audited(refusal)[0]
    assert entry.organisation == programme and entry.changes["code"] == [None, code]


def test_a_replay_is_refused_and_the_accepted_package_stays_latest(programme: Organisation) -> None:
    accepted = intake.do_receive(None, programme, "2026", "v2.json", py_file(version=2, days=3))
    replay = intake.do_receive(None, programme, "2026", "v1.json", py_file())
    again = intake.do_receive(None, programme, "2026", "v2.json", py_file(version=2, days=3))
    assert isinstance(replay, PackageRefusal) and replay.code == "replay" and replay.member is not None
    assert isinstance(again, PackageRefusal) and again.code == "replay"
    assert list(ReceivedPackage.objects.filter(superseded=False)) == [accepted]
    assert audited(replay) and audited(again)


def test_an_unconfirmed_identity_is_confirmed_by_an_administrator_from_the_refusal(programme: Organisation) -> None:
    Member.objects.filter(country="PY").update(identity_id="")
    broken = intake.do_receive(None, programme, "2026", "pkg.json", schema_broken())
    assert isinstance(broken, PackageRefusal) and broken.code == "schema"  # only a good package offers its identity
    refusal = intake.do_receive(None, programme, "2026", "pkg.json", py_file())
    assert isinstance(refusal, PackageRefusal) and refusal.code == "identity-unconfirmed"
    assert refusal.claimed_identity == MEMBER.identity_id
    url = reverse("regional:refusal_confirm_identity", args=[refusal.pk])
    listing = reverse("regional:received_list")
    assert url not in signed_in(user(Role.COORDINATOR)).get(listing).content.decode()
    assert url in signed_in(user(Role.ADMINISTRATOR)).get(listing).content.decode()
    assert signed_in(user(Role.COORDINATOR)).post(url).status_code == 403
    assert Member.objects.get(country="PY").identity_id == ""
    assert signed_in(user(Role.ADMINISTRATOR)).post(url).status_code == 302
    member = Member.objects.get(country="PY")
    assert member.identity_id == MEMBER.identity_id
    assert audited(member, AuditAction.UPDATE)[0].changes["identity_id"] == ["", MEMBER.identity_id]
    assert isinstance(intake.do_receive(None, programme, "2026", "pkg.json", py_file()), ReceivedPackage)


def upload(client: Client, programme: Organisation, data: bytes, period: str = "2026") -> Any:
    file = SimpleUploadedFile("pkg.json", data, content_type="application/json")
    body = {"programme": programme.pk, "period": period, "file": file}
    return client.post(reverse("regional:received_list"), body, follow=True)


def test_the_page_receives_for_analysts_and_up_only(programme: Organisation, world: World) -> None:
    assert upload(signed_in(user(Role.VIEWER)), programme, py_file()).status_code == 403
    assert upload(signed_in(world.users[Role.ADMINISTRATOR]), programme, py_file()).status_code == 403
    assert not ReceivedPackage.objects.exists() and not PackageRefusal.objects.exists()
    page = upload(signed_in(user(Role.ANALYST)), programme, py_file())
    assert page.status_code == 200 and "Package accepted." in page.content.decode()
    refused = upload(signed_in(user(Role.ANALYST)), programme, py_file(), period="2025").content.decode()
    assert "Package refused: period:" in refused and "wrong-period" in refused


def test_the_upload_size_limit_refuses_a_larger_file_storing_nothing(programme: Organisation, settings: Any) -> None:
    data = py_file()
    settings.CYBERPLAN_MAX_UPLOAD_BYTES = len(data) - 1
    page = upload(signed_in(user(Role.ANALYST)), programme, data).content.decode()
    assert "larger than the limit for a statistics package" in page
    api = APIClient()
    api.force_authenticate(user(Role.ANALYST))
    file = SimpleUploadedFile("pkg.json", data)
    answer = api.post(
        reverse("api:regional-package-receive"), {"programme": programme.pk, "period": "2026", "file": file}
    )
    assert answer.status_code == 400 and "file" in answer.json()
    assert not ReceivedPackage.objects.exists() and not PackageRefusal.objects.exists()
    settings.CYBERPLAN_MAX_UPLOAD_BYTES = len(data)
    assert "Package accepted." in upload(signed_in(user(Role.ANALYST)), programme, data).content.decode()


def test_the_api_answers_accepted_refused_or_not_found(programme: Organisation, world: World) -> None:
    url = reverse("api:regional-package-receive")
    api = APIClient()

    def post(who: User, data: bytes, period: str = "2026") -> Any:
        api.force_authenticate(who)
        return api.post(url, {"programme": programme.pk, "period": period, "file": SimpleUploadedFile("p.json", data)})

    assert post(world.users[Role.ADMINISTRATOR], py_file()).status_code == 404
    assert post(user(Role.VIEWER), py_file()).status_code == 403
    accepted = post(user(Role.ANALYST), py_file())
    assert accepted.status_code == 201 and accepted.json()["outcome"] == "accepted"
    replay = post(user(Role.ANALYST), py_file())
    assert replay.status_code == 422 and replay.json()["code"] == "replay"


def test_pages_are_for_the_programme_members_only(programme: Organisation, world: World) -> None:
    intake.do_receive(None, programme, "2026", "pkg.json", py_file())
    member = Member.objects.get(country="PY")
    pages = [
        reverse("regional:programme_overview"),
        reverse("regional:member_list"),
        reverse("regional:received_list"),
    ]
    for outsider in (world.users[Role.ADMINISTRATOR], world.outsider, world.nobody):
        for url in pages:
            assert signed_in(outsider).get(url).status_code == 403, url
        assert signed_in(outsider).get(reverse("regional:member_history", args=[member.pk])).status_code == 404
    viewer = signed_in(user(Role.VIEWER))
    history = viewer.get(reverse("regional:member_history", args=[member.pk])).content.decode()
    assert ReceivedPackage.objects.get().content_hash[:10] in history
    assert viewer.get(reverse("regional:member_edit", args=[member.pk])).status_code == 403
    assert "Register a member state" not in viewer.get(reverse("regional:member_list")).content.decode()


def test_coordinators_keep_the_register_audited(programme: Organisation) -> None:
    body = {"programme": programme.pk, "country": "ar", "name": "Argentina", "active": "on"}
    assert signed_in(user(Role.ANALYST)).post(reverse("regional:member_list"), body).status_code == 403
    assert signed_in(user(Role.COORDINATOR)).post(reverse("regional:member_list"), body).status_code == 302
    added = Member.objects.get(country="AR")
    assert audited(added)[0].changes["country"] == [None, "AR"]
    clash = signed_in(user(Role.COORDINATOR)).post(reverse("regional:member_list"), body).content.decode()
    assert "AR is already a member." in clash
    form = signed_in(user(Role.COORDINATOR)).get(reverse("regional:member_edit", args=[added.pk])).content.decode()
    assert 'name="contact"' in form and 'name="programme"' not in form  # a member stays in its programme
    edit = {"country": "AR", "name": "Argentina", "contact": "pc@example.org"}
    assert (
        signed_in(user(Role.ADMINISTRATOR)).post(reverse("regional:member_edit", args=[added.pk]), edit).status_code
        == 302
    )
    added.refresh_from_db()
    assert not added.active and added.contact == "pc@example.org"
    assert audited(added, AuditAction.UPDATE)[0].changes["active"] == [True, False]


def test_a_member_organisation_cannot_be_registered_in_a_national_authority(world: World) -> None:
    with pytest.raises(ValidationError, match="not a regional programme"):
        intake.do_save_member(None, Member(programme=world.org_a, country="PY"))


def test_the_command_receives_a_file_and_says_why_it_refuses(programme: Organisation, tmp_path: Path) -> None:
    target = tmp_path / "pkg.json"
    target.write_bytes(py_file())
    out = StringIO()
    call_command("regional", "receive", str(target), "--period", "2026", "--by", "p-analyst", stdout=out)
    stored = ReceivedPackage.objects.get()
    assert f"accepted: PY 2026 version 1, TLP:GREEN, sha256 {stored.content_hash}" in out.getvalue()
    assert stored.received_by == user(Role.ANALYST)
    with pytest.raises(CommandError, match=r"refused \(replay\): modified:"):
        call_command("regional", "receive", str(target), "--period", "2026")
    assert PackageRefusal.objects.get().code == "replay"
    with pytest.raises(CommandError, match="--programme"):
        call_command("regional", "receive", str(target), "--period", "2026", "--programme", "nowhere")
    json.loads(target.read_text())  # the file is left as it was


def uy_parts() -> dict[str, Any]:
    table = threat_table(
        ("2026-01", "intrusion-attempts", 50, 20),
        ("2026-01", "information-gathering", 7, 3),
        ("2026-02", "information-gathering", 100, 30),
        ("2026-02", "malicious-code", 60, 25),
    )
    result = parts()
    result["threats"] = disclosure.controlled(table, 10)
    result["exposure"] = {"sources": {"value": 400}, "announced_ipv4": 1_000_000, "per_1000": 0.4}
    result["assessment"] = {
        "framework": "cmm",
        "date": "2026-05-01",
        "factors": [{"factor": "D1.1", "stage": 2}, {"factor": "D2.1", "stage": 3}],
    }
    result["training"]["audiences"][1]["trained"] = {"suppressed": True}
    return result


def received_pair(programme: Organisation) -> list[tuple[str, dict[str, Any]]]:
    uy = bundle_of(header(member=UY, country="UY"), uy_parts())
    for data in (py_file(), py_file(version=2, days=2), file_of(uy)):
        assert isinstance(intake.do_receive(None, programme, "2026", "p.json", data), ReceivedPackage)
    latest = ReceivedPackage.objects.filter(superseded=False).order_by("member__country")
    return [(p.member.country, p.package()) for p in latest]


def published_sum(cells: list[dict[str, Any]]) -> dict[str, Any]:
    if all(c.get("suppressed") for c in cells):
        return {"suppressed": True}
    return {"value": sum(c.get("value", 0) for c in cells), "at_least": any(c.get("suppressed") for c in cells)}


def test_regional_figures_equal_the_sum_of_the_members_packages(programme: Organisation) -> None:
    pairs = received_pair(programme)
    assert [c for c, _p in pairs] == ["PY", "UY"] and pairs[0][1]["package_version"] == 2
    figures = regional_figures(pairs)
    events = figures["events"]
    assert events.members == ["PY", "UY"] and events.periods == ["2026"]
    by_key = {(r["country"], r["month"], r["taxonomy"]): r["events"] for r in events.rows}
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for country, package in pairs:
        for row in package["threats"]["rows"]:
            cells.setdefault((row["month"], row["taxonomy"]), []).append(row["events"])
            assert (country, row["month"], row["taxonomy"]) in by_key
    assert {k for k in by_key if k[0] == REGION} == {(REGION, m, t) for m, t in cells}
    for (month, taxonomy), found in cells.items():
        assert by_key[(REGION, month, taxonomy)] == published_sum(found)
    # The sum of 2026-01 information gathering has PY's 120 and UY's suppressed 7: at least 120.
    assert by_key[(REGION, "2026-01", "information-gathering")] == {"value": 120, "at_least": True}
    assert by_key[(REGION, "2026-02", "information-gathering")] == {"value": 300, "at_least": False}
    exposure = {r["country"]: r for r in figures["exposure"].rows}
    assert exposure[REGION]["sources"] == {"value": 545, "at_least": False}
    assert exposure[REGION]["announced_ipv4"] == 4_000_000 and exposure[REGION]["per_1000"] == 0.1363
    assert figures["maturity"].members == ["UY"] and len(figures["maturity"].rows) == 2
    training = {(r["country"], r["audience"]): r for r in figures["training"].rows}
    assert training[(REGION, "judges")]["trained"] == {"suppressed": True}
    assert training[(REGION, "judges")]["cumulative_trained"] == {"value": 50, "at_least": False}
    assert training[(REGION, "csirt_staff")]["trained"] == {"value": 12, "at_least": True}
    assert [r["country"] for r in figures["strategy"].rows] == ["PY", "UY"]


def test_the_overview_page_shows_the_regional_tables(programme: Organisation, world: World) -> None:
    received_pair(programme)
    page = signed_in(user(Role.VIEWER)).get(reverse("regional:programme_overview")).content.decode()
    assert "PY v2" in page and "UY v1" in page and "at least 120" in page and "suppressed" in page


def test_packages_pushed_to_the_programme_collection_are_received_once(programme: Organisation, world: World) -> None:
    group = do_create_group(None, programme, name="Member states", tlp_ceiling="amber")
    collection = do_create_collection(None, group, title="Statistics packages", default_tlp="green")
    py_member = Organisation.objects.create(name="Authority PY", slug="py", type=OrganisationType.NATIONAL_AUTHORITY)
    for data in (py_file(), not_suppressed_v2()):
        posted = add_objects(collection, json.loads(data)["objects"], owner=py_member, default_tlp="green")
        assert not posted.failed, posted.failed
    outcomes = do_receive_collection(user(Role.ANALYST), programme, collection, "2026")
    assert [type(o).__name__ for o in outcomes] == ["ReceivedPackage", "PackageRefusal"]
    accepted, refused = outcomes
    assert isinstance(refused, PackageRefusal) and refused.code == "not-suppressed"
    assert isinstance(accepted, ReceivedPackage) and accepted.member.country == "PY" and accepted.version == 1
    assert audited(accepted) and audited(refused)
    out = StringIO()
    call_command("regional", "receive-collection", str(collection.pk), "--period", "2026", stdout=out)
    assert "0 new package(s)" in out.getvalue()  # re-running receives nothing new
    assert ReceivedPackage.objects.count() == 1 and PackageRefusal.objects.count() == 1
    other = do_create_collection(None, do_create_group(None, world.org_a, name="A's"), title="A's")
    with pytest.raises(ValidationError, match="does not belong"):
        do_receive_collection(None, programme, other, "2026")


def not_suppressed_v2() -> bytes:
    bundle = bundle_of(header(version=2, modified=CREATED + dt.timedelta(days=1)), parts())
    package_of(bundle)["threats"]["rows"][1]["events"] = {"value": 4}
    return file_of(bundle)


def test_text_from_a_refused_file_is_escaped_on_the_pages(programme: Organisation) -> None:
    bundle = bundle_of(header(), parts())
    package_of(bundle)["country"] = "<b>ZZ</b>"
    refusal = intake.do_receive(None, programme, "2026", "x.json", file_of(bundle))
    assert isinstance(refusal, PackageRefusal) and "<b>ZZ</b>" in refusal.claimed_country + refusal.reason
    page = signed_in(user(Role.VIEWER)).get(reverse("regional:received_list")).content.decode()
    assert "&lt;b&gt;ZZ&lt;/b&gt;" in page and "<b>ZZ</b>" not in page
