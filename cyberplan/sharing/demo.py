"""The demo's illustrative sharing network: CERT-PY shares indicators with a neighbouring national CSIRT.

What it builds, all marked illustrative: a partner CSIRT organisation, a sharing group owned by CERT-PY with
the partner as a reading member and a TLP:GREEN ceiling, a collection filled by the publishing function with
CERT-PY's TLP:CLEAR and TLP:GREEN indicators, and a partner credential. So that the store also holds what must
never leave, a small STIX bundle of indicators at every label (CLEAR, GREEN, AMBER, RED; documentation
addresses only) is imported into CERT-PY's event store first. Building twice creates nothing new: the
credential's secret is shown only when the credential is issued (or with ``rotate=True``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from cyberplan.core import actions as core_actions
from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation, Sector, User
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.threats.actions import do_register_import, do_run_import, file_digest
from cyberplan.threats.choices import ImportFormat
from cyberplan.threats.models import Import
from cyberplan.threats.store import event_store

from .actions import do_create_collection, do_create_group, do_issue_credential, do_rotate_credential, do_set_member
from .choices import CollectionContent, GroupCeiling
from .jobs import SHARING_PUBLISH, do_request_publish
from .models import Collection, GroupMember, PartnerCredential, SharingGroup
from .publishing import PublishSummary, collection_labels, do_publish
from .stix_out import TLP2_MARKING_IDS, observations

PARTNER = {
    "slug": "demo-partner-csirt",
    "name": "Neighbouring national CSIRT (illustrative partner)",
    "acronym": "CSIRT-NB",
    "type": OrganisationType.PARTNER_CSIRT,
    "country": "UY",
    "description": "An illustrative partner CSIRT of a neighbouring country, for the sharing network demo.",
}
GROUP_NAME = "Regional CSIRTs (illustrative)"
COLLECTION_TITLE = "Indicators for partner CSIRTs (demo)"
CREDENTIAL_NAME = "Demo TAXII and MISP feed access"
BUNDLE_NAME = "sharing-demo-indicators.json"
LEAD = "demo-csirt-lead"  # CERT-PY's coordinator, for whom the worker publishes a large store
SHARING_LEAD = "demo-sharing-lead"  # CERT-PY's administrator, who rotates or revokes the partner credential
#: Up to this many observables the demo publishes at once; a larger store (the synthetic months) is published
#: by the task worker, so that building the demo stays quick.
PUBLISH_NOW_LIMIT = 500

# (n, RSIT label, STIX pattern, TLP): documentation addresses (RFC 5737) and reserved names (RFC 2606) only.
INDICATORS: list[tuple[int, str, str, str]] = [
    (1, 'rsit:intrusion-attempts="brute-force"', "[ipv4-addr:value = '192.0.2.10']", "clear"),
    (2, 'rsit:information-gathering="scanner"', "[ipv4-addr:value = '192.0.2.20']", "clear"),
    (3, 'rsit:malicious-code="c2-server"', "[ipv4-addr:value = '198.51.100.30']", "green"),
    (4, 'rsit:fraud="phishing"', "[url:value = 'http://login-bank.example.com/verify']", "green"),
    (5, 'rsit:malicious-code="c2-server"', "[ipv4-addr:value = '203.0.113.50']", "amber"),
    (6, 'rsit:malicious-code="malware-distribution"', "[url:value = 'http://files.example.net/update.exe']", "amber"),
    (7, 'rsit:intrusion-attempts="brute-force"', "[ipv4-addr:value = '203.0.113.70']", "red"),
    (8, 'rsit:fraud="phishing"', "[url:value = 'http://restricted.example.org/login']", "red"),
]


@dataclass
class DemoSharing:
    group: SharingGroup
    collection: Collection
    credential: PartnerCredential
    secret: str | None  # only when the credential was issued (or rotated) now
    published: PublishSummary | None  # None when publishing was left to the task worker
    created: dict[str, int]
    queued: bool = False


def demo_bundle() -> dict[str, Any]:
    """The illustrative indicators at every label, as a STIX 2.1 bundle the threats importer reads."""
    objects = []
    for n, label, pattern, tlp in INDICATORS:
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--5d2a0c4e-0000-4000-8000-{n:012d}",
                "created": "2026-11-02T08:00:00.000Z",
                "modified": "2026-11-02T08:00:00.000Z",
                "name": "Illustrative demo indicator",
                "pattern": pattern,
                "pattern_type": "stix",
                "valid_from": "2026-11-02T08:00:00Z",
                "labels": [label],
                "object_marking_refs": [TLP2_MARKING_IDS[tlp]],
            }
        )
    return {"type": "bundle", "id": "bundle--5d2a0c4e-0000-4000-8000-000000000000", "objects": objects}


def _import_demo_indicators(csirt: Organisation) -> int:
    """Import the bundle into the CSIRT's store unless an earlier build did; 1 when imported now."""
    folder = Path(settings.DATA_DIR) / "demo-feeds"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BUNDLE_NAME
    path.write_text(json.dumps(demo_bundle(), indent=1), encoding="utf-8")
    if Import.objects.filter(organisation=csirt, file_sha256=file_digest(path), status="succeeded").exists():
        return 0
    record = do_register_import(None, csirt, path, file_name=path.name, format=ImportFormat.STIX, tlp="amber")
    do_run_import(record, path)
    return 1


def _partner() -> tuple[Organisation, bool]:
    existing = Organisation.objects.filter(slug=PARTNER["slug"]).first()
    if existing is not None:
        return existing, False
    values = dict(PARTNER)
    sector = Sector.objects.filter(code="government").first()
    return core_actions.do_create_organisation(None, sector=sector, is_demo=True, **values), True


def build_demo_sharing(csirt: Organisation, *, rotate: bool = False) -> DemoSharing:
    """Create or refresh the demo's sharing network owned by ``csirt`` (CERT-PY)."""
    created = {"organisations": 0, "groups": 0, "collections": 0, "credentials": 0, "imports": 0}
    created["imports"] = _import_demo_indicators(csirt)
    with transaction.atomic():
        partner, was_created = _partner()
        created["organisations"] += int(was_created)
        group = SharingGroup.objects.filter(organisation=csirt, name=GROUP_NAME).first()
        if group is None:
            group = do_create_group(
                None,
                csirt,
                name=GROUP_NAME,
                tlp_ceiling=GroupCeiling.GREEN,
                description="Illustrative demo: national CSIRTs of the region sharing indicators up to TLP:GREEN.",
            )
            created["groups"] += 1
        if not GroupMember.objects.filter(group=group, organisation=partner).exists():
            do_set_member(None, group, partner, can_read=True, can_write=False, need_to_know=False)
        collection = Collection.objects.filter(group=group, title=COLLECTION_TITLE).first()
        if collection is None:
            collection = do_create_collection(
                None,
                group,
                title=COLLECTION_TITLE,
                content=CollectionContent.INDICATORS,
                description="Illustrative demo: CERT-PY's TLP:CLEAR and TLP:GREEN indicators and their sightings.",
            )
            created["collections"] += 1
        credential = PartnerCredential.objects.filter(
            issuer=csirt, holder=partner, name=CREDENTIAL_NAME, revoked_at__isnull=True
        ).first()
        secret: str | None = None
        if credential is None:
            credential, secret = do_issue_credential(None, csirt, partner, CREDENTIAL_NAME)
            created["credentials"] += 1
        elif rotate:
            secret = do_rotate_credential(None, credential)
    if _observables(collection) <= PUBLISH_NOW_LIMIT:
        return DemoSharing(group, collection, credential, secret, do_publish(None, collection), created)
    return DemoSharing(group, collection, credential, secret, None, created, queued=_queue_publish(collection))


def _observables(collection: Collection) -> int:
    owner = collection.group.organisation
    return sum(1 for _seen in observations(event_store(owner), collection_labels(collection)))


def _queue_publish(collection: Collection) -> bool:
    """Ask the worker to publish, unless a publishing job of the collection is waiting or ran (True if asked)."""
    lead = User.objects.filter(username=LEAD).first()
    asked = Job.objects.filter(kind=SHARING_PUBLISH, parameters__collection=str(collection.pk)).exclude(
        status__in=[JobStatus.FAILED, JobStatus.CANCELLED]
    )
    if lead is None or asked.exists():
        return False
    do_request_publish(lead, collection)
    return True


def build_demo_sharing_for_workspace(say: Callable[[str], None], base_url: str = "http://127.0.0.1:8000") -> None:
    """The demo command's step: build, then say where a partner's TAXII client and MISP instance connect."""
    csirt = Organisation.objects.filter(slug="cert-py").first()
    if csirt is None:
        return
    built = build_demo_sharing(csirt)
    if built.published is not None:
        done = f"published {built.published.added} new objects ({built.published.unchanged} unchanged)"
    elif built.queued:
        done = "the task worker publishes CERT-PY's indicators into the collection (see the jobs page)"
    else:
        done = "publishing into the collection was asked for earlier (see the jobs page)"
    say("sharing network: " + ", ".join(f"{count} new {name}" for name, count in built.created.items()) + "; " + done)
    say(f"  TAXII discovery URL: {base_url.rstrip('/')}/taxii2/")
    say(f"  MISP feed URL:       {base_url.rstrip('/')}/misp-feeds/{built.collection.pk}/")
    say(f"  partner credential:  {built.credential.pk} (HTTP Basic user name)")
    if built.secret is not None:
        say(f"  partner secret:      {built.secret} (shown once)")
    else:
        say("  partner secret:      issued by an earlier build and not shown again")
    say(
        f"  sign in as {SHARING_LEAD} (CERT-PY's administrator) to rotate or revoke the credential: "
        f"{base_url.rstrip('/')}/sharing/credentials/"
    )
