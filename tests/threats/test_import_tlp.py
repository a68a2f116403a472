"""Imports and their quarantine follow the same TLP rule as the events they bring in.

A reader who may not see an import's TLP gets a 404 for its page and its quarantine download, and
never sees its file name, size, hash or counts in the import list (web page or API).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cyberplan.core.choices import TLP, Role
from tests.conftest import World

from .support import make_import

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

# Event TLP per role: RED only for administrators and coordinators, external partners CLEAR and GREEN.
READS: dict[str, set[str]] = {
    Role.ADMINISTRATOR: set(TLP.values),
    Role.COORDINATOR: set(TLP.values),
    Role.ANALYST: set(TLP.values) - {TLP.RED},
    Role.CONTRIBUTOR: set(TLP.values) - {TLP.RED},
    Role.VIEWER: set(TLP.values) - {TLP.RED},
    Role.EXTERNAL_PARTNER: {TLP.CLEAR, TLP.GREEN},
}


@pytest.mark.parametrize("tlp", TLP.values)
def test_imports_and_quarantine_follow_event_tlp(world: World, tmp_path: Path, tlp: str) -> None:
    # Created by the contributor: unlike a gap, an import gives its creator no way past the TLP rule.
    marker = f"imp{TLP.values.index(tlp)}x"
    record = make_import(tmp_path, world.users[Role.CONTRIBUTOR], world.org_a, tlp, marker)
    assert record.status == "succeeded" and record.quarantined == 1, record.message
    readers = [*((role, world.users[role]) for role in READS), ("outsider", world.outsider)]
    for who, user in readers:
        sees = who in READS and tlp in READS[who]
        web = Client()
        web.force_login(user)
        api = APIClient()
        api.force_authenticate(user)
        detail = web.get(f"/threats/imports/{record.pk}/")
        download = web.get(f"/threats/imports/{record.pk}/quarantine.csv")
        api_detail = api.get(f"/api/imports/{record.pk}/")
        listed = web.get("/threats/").content.decode()
        api_listed = api.get("/api/imports/").content.decode()
        if sees:
            assert detail.status_code == 200, who
            assert f"{marker}-quarantined" in detail.content.decode(), who
            assert f"{marker}-quarantined" in download.content.decode(), who
            assert api_detail.status_code == 200, who
            assert marker in listed and marker in api_listed, who
        else:
            assert (detail.status_code, download.status_code, api_detail.status_code) == (404, 404, 404), who
            assert marker not in listed, who
            assert marker not in api_listed, who
            assert record.file_sha256 not in api_listed, who


def test_an_import_is_refused_at_a_tlp_its_uploader_may_not_read(world: World) -> None:
    """An analyst's RED upload would vanish from their own view; it is refused with the reason instead."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cyberplan.jobs.models import Job
    from cyberplan.threats.models import Import

    from .conftest import SAMPLES

    sample = SAMPLES / "2026-11-28-scan_telnet-py-geo.csv"
    web = Client()
    web.force_login(world.users[Role.ANALYST])
    upload = SimpleUploadedFile(sample.name, sample.read_bytes(), content_type="text/csv")
    response = web.post("/threats/", {"organisation": world.org_a.pk, "file": upload, "format": "auto", "tlp": "red"})
    assert response.status_code == 400
    assert "You may not read TLP:RED evidence of Authority A" in response.content.decode()
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    with sample.open("rb") as handle:
        response = api.post(
            "/api/imports/", {"organisation": world.org_a.pk, "file": handle, "tlp": "red"}, format="multipart"
        )
    assert response.status_code == 400
    assert "You may not read TLP:RED evidence of Authority A" in response.json()["tlp"][0]
    assert not Import.objects.exists() and not Job.objects.exists()
    # The coordinator reads RED, so may import at RED.
    api.force_authenticate(world.users[Role.COORDINATOR])
    with sample.open("rb") as handle:
        response = api.post(
            "/api/imports/", {"organisation": world.org_a.pk, "file": handle, "tlp": "red"}, format="multipart"
        )
    assert response.status_code == 202
    assert Import.objects.get().tlp == "red"


def test_a_skipped_upload_names_the_earlier_import_only_to_who_may_read_it(world: World, tmp_path: Path) -> None:
    """The same file uploaded again is skipped; the message names the earlier import (its id and date)
    only if the uploader may read that import's TLP."""
    hidden = make_import(tmp_path, world.users[Role.COORDINATOR], world.org_a, TLP.RED, "same")
    again = make_import(tmp_path, world.users[Role.ANALYST], world.org_a, TLP.AMBER, "same")
    assert again.status == "skipped"
    assert str(hidden.pk) not in again.message
    assert again.message
    seen = make_import(tmp_path, world.users[Role.ADMINISTRATOR], world.org_a, TLP.RED, "same")
    assert seen.status == "skipped"
    assert str(hidden.pk) in seen.message
