"""Fixtures of the sharing tests: a sharing group owned by organisation A with B as a member, a collection,
and partner credentials, plus a TAXII client that speaks the media type."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_issue_credential, do_set_member
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.models import Collection, PartnerCredential, SharingGroup
from cyberplan.sharing.taxii.protocol import TAXII_MEDIA_TYPE
from tests.conftest import World

TAXII = TAXII_MEDIA_TYPE


@dataclass
class Net:
    group: SharingGroup
    collection: Collection
    org_c: Organisation  # not a member of the group
    owner_key: tuple[PartnerCredential, str]  # a credential held by the owner (A)
    member_key: tuple[PartnerCredential, str]  # held by B, a member that may read and write
    outsider_key: tuple[PartnerCredential, str]  # held by C, no member


@pytest.fixture
def net(world: World) -> Net:
    admin = world.users[Role.ADMINISTRATOR]
    org_c = Organisation.objects.create(
        name="CSIRT C", acronym="CC", slug="csirt-c", type=OrganisationType.PARTNER_CSIRT, country="AR"
    )
    group = do_create_group(admin, world.org_a, name="Regional CSIRTs", tlp_ceiling="amber")
    do_set_member(admin, group, world.org_b, can_read=True, can_write=True, need_to_know=False)
    collection = do_create_collection(
        admin, group, title="Indicators", content=CollectionContent.POSTED, default_tlp="green"
    )
    return Net(
        group=group,
        collection=collection,
        org_c=org_c,
        owner_key=do_issue_credential(admin, world.org_a, world.org_a, "own"),
        member_key=do_issue_credential(admin, world.org_a, world.org_b, "b"),
        outsider_key=do_issue_credential(admin, world.org_a, org_c, "c"),
    )


def basic(key: tuple[PartnerCredential, str]) -> str:
    credential, secret = key
    return "Basic " + base64.b64encode(f"{credential.pk}:{secret}".encode()).decode()


@pytest.fixture
def taxii(client: Client) -> Callable[..., Any]:
    """``taxii(method, path, key, body=None, **headers)``: a request with the TAXII media types."""

    def call(
        method: str, path: str, key: tuple[PartnerCredential, str] | None, body: Any = None, **headers: str
    ) -> Any:
        extra: dict[str, str] = {"HTTP_ACCEPT": TAXII}
        if key is not None:
            extra["HTTP_AUTHORIZATION"] = basic(key)
        for name, value in headers.items():
            extra[name] = value
        data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
        kwargs: dict[str, Any] = {}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = extra.pop("CONTENT_TYPE", TAXII)
        return getattr(client, method.lower())(path, **kwargs, **extra)

    return call


def indicator(n: int, *, modified: str = "2026-01-01T00:00:00.000Z", tlp: str | None = "green") -> dict[str, Any]:
    from cyberplan.sharing.stix_out import TLP2_MARKING_IDS

    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": modified,
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    if tlp is not None:
        obj["object_marking_refs"] = [TLP2_MARKING_IDS[tlp]]
    return obj
