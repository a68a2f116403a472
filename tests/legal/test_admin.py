"""Staff keep treaty status in the admin; reviews there are read-only, changed only through the app."""

from __future__ import annotations

from django.test import Client

from cyberplan.core.models import AuditEntry, User
from cyberplan.legal.models import TreatyStatus


def test_staff_record_a_treaty_status_and_it_is_audited(db: None) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "a-long-admin-password")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/legal/treatystatus/add/",
        {"country": "UY", "treaty": "ets-185", "basis": "illustrative", "note": "Checked later"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    status = TreatyStatus.objects.get(country="UY", treaty="ets-185")
    assert AuditEntry.objects.filter(object_id=str(status.pk), action="create").exists()
    assert client.get("/admin/legal/review/").status_code == 200
    assert client.get("/admin/legal/review/add/").status_code == 403


def test_an_unknown_treaty_or_dates_out_of_order_are_refused(db: None) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "a-long-admin-password")
    client = Client()
    client.force_login(admin)
    page = client.post(
        "/admin/legal/treatystatus/add/",
        {
            "country": "UY",
            "treaty": "ets-999",
            "basis": "illustrative",
            "signed": "2020-01-01",
            "ratified": "2019-01-01",
        },
    ).content.decode()
    assert "Unknown treaty (expected one of: ets-185, ets-189, cets-224)." in page
    assert not TreatyStatus.objects.exists()
