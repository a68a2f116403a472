"""The gap register: identifiers, upserts, evidence, concurrency, bad input and history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.gaps import actions
from cyberplan.gaps.access import count_closed_before, gaps_with_ids
from cyberplan.gaps.actions import do_upsert_gap_from_source
from cyberplan.gaps.choices import GapSource, GapStatus
from cyberplan.gaps.models import Gap, GapEvidence
from tests.conftest import World


def test_identifiers_are_stable_and_per_source(world: World, make_gap: Callable[..., Gap]) -> None:
    first = make_gap()
    second = make_gap()
    legal = make_gap(source=GapSource.LEGAL)
    other_org = make_gap(organisation=world.org_b)
    assert [first.identifier, second.identifier, legal.identifier] == ["GAP-0001", "GAP-0002", "LEG-0001"]
    assert other_org.identifier == "GAP-0001"
    third = make_gap()
    assert third.identifier == "GAP-0003"
    # Identifiers are never handed out twice, even after the gap holding the highest one is deleted.
    second.delete()
    third.delete()
    assert make_gap().identifier == "GAP-0004"


def test_upsert_from_source_never_duplicates(world: World) -> None:
    actor = world.users[Role.COORDINATOR]
    gap, created = do_upsert_gap_from_source(
        actor, world.org_a, source=GapSource.ASSESSMENT, source_key="PY-2026/1.2", title_en="Factor 1.2 below target"
    )
    again, created_again = do_upsert_gap_from_source(
        actor,
        world.org_a,
        source=GapSource.ASSESSMENT,
        source_key="PY-2026/1.2",
        title_en="Factor 1.2 still below target",
    )
    assert created
    assert not created_again
    assert again.pk == gap.pk
    assert again.identifier == "ASM-0001"
    assert again.title_en == "Factor 1.2 still below target"
    assert Gap.objects.filter(source=GapSource.ASSESSMENT).count() == 1


def test_two_writers_recording_the_same_finding_make_one_gap(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second writer checked before the first one saved: its create meets the unique source key,
    which is not retried as an identifier clash but turns into an update of the first writer's gap."""
    actor = world.users[Role.COORDINATOR]
    first, _created = do_upsert_gap_from_source(
        actor, world.org_a, source=GapSource.THREAT_TREND, source_key="trend:type=ddos", title_en="DDoS rising"
    )
    real = actions._source_gap
    calls: list[str] = []

    def stale_then_real(organisation: object, source: str, source_key: str) -> Gap | None:
        calls.append(source_key)
        return None if len(calls) == 1 else real(organisation, source, source_key)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "_source_gap", stale_then_real)
    second, created = do_upsert_gap_from_source(
        actor, world.org_a, source=GapSource.THREAT_TREND, source_key="trend:type=ddos", title_en="DDoS still rising"
    )
    assert not created
    assert second.pk == first.pk
    assert second.title_en == "DDoS still rising"
    assert Gap.objects.filter(source=GapSource.THREAT_TREND).count() == 1
    # Creating it directly says why at once (no retries as if identifiers had clashed).
    monkeypatch.setattr(actions, "_source_gap", real)
    with pytest.raises(actions.DuplicateSourceGapError):
        actions.do_create_gap(
            actor, world.org_a, source=GapSource.THREAT_TREND, source_key="trend:type=ddos", title_en="Again"
        )
    # The failed attempts used no identifier: the next finding gets the next number.
    assert (
        do_upsert_gap_from_source(
            actor, world.org_a, source=GapSource.THREAT_TREND, source_key="trend:type=scan", title_en="Scans rising"
        )[0].identifier
        == "THR-0002"
    )


def test_every_write_is_audited_with_before_and_after(world: World, make_gap: Callable[..., Gap]) -> None:
    coordinator = world.users[Role.COORDINATOR]
    api = APIClient()
    api.force_authenticate(coordinator)
    response = api.post(
        "/api/gaps/", {"organisation": world.org_a.pk, "title_en": "No CI register", "severity": "high"}, format="json"
    )
    assert response.status_code == 201, response.json()
    gap_id = response.json()["id"]
    api.patch(f"/api/gaps/{gap_id}/", {"severity": "critical", "version": 1}, format="json")
    api.post(f"/api/gaps/{gap_id}/status/", {"status": "closed", "version": 2}, format="json")
    api.delete(f"/api/gaps/{gap_id}/")
    entries = list(AuditEntry.objects.filter(content_type__model="gap", object_id=str(gap_id)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "update", "delete"]
    assert all(e.actor == coordinator and e.source == "api" and e.organisation == world.org_a for e in entries)
    assert entries[0].changes["title_en"] == [None, "No CI register"]
    assert entries[1].changes["severity"] == ["high", "critical"]
    assert entries[2].changes["status"] == ["open", "closed"]
    assert entries[3].changes["identifier"] == ["GAP-0001", None]


def test_web_form_errors_are_field_level_and_translated(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    response = client.post(
        "/gaps/new/", {"organisation": world.org_a.pk, "source": "nonsense", "severity": "low", "tlp": "amber"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "source" in form.errors
    assert form.errors["title_en"] == ["Give a title in English, in Spanish, or in both."]
    response = client.post(
        "/gaps/new/",
        {"organisation": world.org_a.pk, "source": "other", "severity": "low", "tlp": "amber"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert response["Content-Language"] == "es"
    assert response.context["form"].errors["title_en"] != ["Give a title in English, in Spanish, or in both."]
    assert not Gap.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title_en": ""}, "title_en"),
        ({"title_en": "x", "severity": "apocalyptic"}, "severity"),
        ({"title_en": "x", "tlp": "purple"}, "tlp"),
        ({"title_en": "x" * 300}, "title_en"),
        ({"title_en": "x", "organisation": 999999}, "organisation"),
        ({"title_en": "x", "organisation": "abc"}, "organisation"),
    ],
)
def test_api_rejects_bad_input_with_field_messages(world: World, body: dict[str, object], field: str) -> None:
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    payload = {"organisation": world.org_a.pk, **body}
    response = api.post("/api/gaps/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Gap.objects.exists()


def test_api_refuses_unsafe_evidence_addresses(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    for url in ["javascript:alert(1)", "//evil.example/x", "data:text/html,x"]:
        response = api.post(f"/api/gaps/{gap.pk}/evidence/", {"kind": "url", "label": "x", "url": url}, format="json")
        assert response.status_code == 400, url
        assert "url" in response.json()
    assert not GapEvidence.objects.exists()


def test_api_malformed_json_is_a_400(world: World) -> None:
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    response = api.post("/api/gaps/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_concurrent_edit_is_detected_in_the_api(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    first, second = APIClient(), APIClient()
    first.force_authenticate(world.users[Role.ANALYST])
    second.force_authenticate(world.users[Role.COORDINATOR])
    assert first.patch(f"/api/gaps/{gap.pk}/", {"title_en": "First", "version": 1}, format="json").status_code == 200
    response = second.patch(f"/api/gaps/{gap.pk}/", {"title_en": "Second", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["title_en"] == "First"
    assert Gap.objects.get(pk=gap.pk).title_en == "First"
    # Without a version an update is refused rather than guessed.
    assert second.patch(f"/api/gaps/{gap.pk}/", {"title_en": "Blind"}, format="json").status_code == 400


def test_concurrent_edit_is_detected_in_the_web_form(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    form = {"source": "other", "title_en": "Mine", "severity": "low", "tlp": "amber", "version": 1}
    assert client.post(f"/gaps/{gap.pk}/edit/", form).status_code == 302
    response = client.post(f"/gaps/{gap.pk}/edit/", {**form, "title_en": "Stale"})
    assert response.status_code == 409
    assert b"Someone else changed this gap" in response.content
    assert Gap.objects.get(pk=gap.pk).title_en == "Mine"


@pytest.mark.slow
def test_evidence_upload_checks_type_content_and_size(world: World, make_gap: Callable[..., Gap], tmp_path) -> None:  # type: ignore[no-untyped-def]
    gap = make_gap()
    client = Client()
    client.force_login(world.users[Role.CONTRIBUTOR])
    with override_settings(MEDIA_ROOT=tmp_path):
        fake_pdf = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = client.post(f"/gaps/{gap.pk}/", {"kind": "document", "label": "Report", "document": fake_pdf})
        assert response.status_code == 400
        assert "does not match its .pdf extension" in response.content.decode()

        script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
        response = client.post(f"/gaps/{gap.pk}/", {"kind": "document", "label": "Tool", "document": script})
        assert response.status_code == 400
        assert "are not accepted as evidence" in response.content.decode()

        with override_settings(CYBERPLAN_MAX_UPLOAD_BYTES=100):
            big = SimpleUploadedFile("big.txt", b"a" * 101, content_type="text/plain")
            response = client.post(f"/gaps/{gap.pk}/", {"kind": "document", "label": "Big", "document": big})
            assert response.status_code == 400
            assert "the limit is" in response.content.decode()
        assert not GapEvidence.objects.exists()

        pdf = SimpleUploadedFile("decree.pdf", b"%PDF-1.7\n%minimal\n", content_type="application/pdf")
        response = client.post(f"/gaps/{gap.pk}/", {"kind": "document", "label": "Decree", "document": pdf})
        assert response.status_code == 302
        evidence = GapEvidence.objects.get()
        # Downloads go through the access check: another organisation's user gets 404.
        download = f"/gaps/{gap.pk}/evidence/{evidence.pk}/"
        response = client.get(download)
        assert response.status_code == 200
        # Reading the whole stream also closes the file (the test client closes it at the end).
        assert b"".join(response.streaming_content) == b"%PDF-1.7\n%minimal\n"
        outsider = Client()
        outsider.force_login(world.outsider)
        assert outsider.get(download).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "url", "label": "No address"}, "Give the web address"),
        ({"kind": "url", "label": "Bad", "url": "javascript:alert(1)"}, "starting with https://"),
        ({"kind": "platform", "label": "Bad", "url": "https://example.org"}, "starting with /"),
        ({"kind": "citation", "label": "No citation"}, "Give the citation"),
    ],
)
def test_evidence_form_errors(world: World, make_gap: Callable[..., Gap], data: dict[str, str], message: str) -> None:
    gap = make_gap()
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    response = client.post(f"/gaps/{gap.pk}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GapEvidence.objects.exists()


def test_user_text_is_escaped_in_pages(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap(title_en="<script>alert('x')</script>", description_en="<img src=x onerror=alert(1)>")
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    for path in [f"/gaps/{gap.pk}/", "/gaps/"]:
        body = client.get(path).content.decode()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body
        assert "<img src=x" not in body


def test_detail_shows_history_and_evidence(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    client.post(f"/gaps/{gap.pk}/", {"kind": "citation", "label": "Decree", "citation": "Decree 7052/2017 art. 4"})
    client.post(f"/gaps/{gap.pk}/status/", {"status": "addressed", "version": 1})
    response = client.get(f"/gaps/{gap.pk}/")
    history = list(response.context["history"])
    assert [(e.content_type.model, e.action) for e in history] == [
        ("gap", "update"),
        ("gapevidence", "create"),
        ("gap", "create"),
    ]
    assert "Decree 7052/2017 art. 4" in response.content.decode()


def test_list_filters(world: World, make_gap: Callable[..., Gap]) -> None:
    make_gap(title_en="Alpha", severity="high")
    make_gap(title_en="Beta", severity="low")
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    body = client.get("/gaps/", {"severity": "high"}).content.decode()
    assert "Alpha" in body
    assert "Beta" not in body
    body = client.get("/gaps/", {"q": "bet"}).content.decode()
    assert "Beta" in body
    assert "Alpha" not in body
    response = client.get("/gaps/", {"severity": "nonsense"})
    assert response.status_code == 200  # an invalid filter is shown as a form error, not a crash
    api = APIClient()
    api.force_authenticate(world.users[Role.VIEWER])
    assert [g["title"] for g in api.get("/api/gaps/", {"severity": "low"}).json()["results"]] == ["Beta"]


def test_closed_gaps_are_counted_among_the_given_ids_up_to_a_moment(world: World, make_gap: Callable[..., Gap]) -> None:
    coordinator = world.users[Role.COORDINATOR]
    closed, still_open, elsewhere = make_gap(), make_gap(), make_gap()
    closed = actions.do_set_gap_status(coordinator, closed, GapStatus.CLOSED)
    actions.do_set_gap_status(coordinator, elsewhere, GapStatus.CLOSED)
    assert closed.closed_at is not None

    gaps = gaps_with_ids([closed.pk, still_open.pk, closed.pk])
    assert sorted(gaps.values_list("pk", flat=True)) == sorted([closed.pk, still_open.pk])
    assert count_closed_before(gaps, closed.closed_at + dt.timedelta(seconds=1)) == 1
    assert count_closed_before(gaps, closed.closed_at) == 0
