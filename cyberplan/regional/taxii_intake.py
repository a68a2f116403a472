"""Packages members push over TAXII: read from a collection of the regional programme, then received as files.

A member posts its package bundle's objects to a collection of a sharing group the regional programme owns
(the sharing app stores them as :class:`~cyberplan.sharing.models.SharedObject`). :func:`do_receive_collection`
rebuilds each package's bundle from the collection (the package, the identities and the extension definition
it names, its TLP marking) and passes it to :func:`.intake.do_receive`, so the same checks, records and audit
apply. A bundle already accepted or refused (same hash) is not received again: re-running gives the same result.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation, User
from cyberplan.sharing.models import Collection, SharedObject
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS, tlp_marking

from . import intake
from .models import PackageRefusal, ReceivedPackage
from .package import EXTENSION_ID, PACKAGE_TYPE, PROJECT, bundle_text


def _bundle(collection: Collection, package: dict[str, object]) -> dict[str, object]:
    wanted = {str(package.get("created_by_ref", "")), PROJECT.identity_id, EXTENSION_ID}
    latest = collection.shared_objects.filter(is_latest=True, stix_id__in=sorted(wanted)).order_by("stix_id")
    objects: list[object] = [row.body for row in latest]
    label = next((k for k, v in TLP2_MARKING_IDS.items() if [v] == package.get("object_marking_refs")), None)
    if label is not None:
        objects.append(tlp_marking(label))
    objects.append(package)
    return {"type": "bundle", "id": f"bundle--{str(package.get('id', '')).split('--')[-1]}", "objects": objects}


def do_receive_collection(
    actor: User | None, programme: Organisation, collection: Collection, period: str
) -> list[ReceivedPackage | PackageRefusal]:
    """Receive every package in ``collection`` not yet accepted or refused; the outcomes, oldest first."""
    if collection.group.organisation_id != programme.pk:
        raise ValidationError(
            {"collection": _("The collection does not belong to a sharing group of %(name)s.") % {"name": programme}}
        )
    outcomes: list[ReceivedPackage | PackageRefusal] = []
    rows = SharedObject.objects.filter(collection=collection, stix_type=PACKAGE_TYPE).order_by("date_added", "pk")
    for row in rows:
        data = bundle_text(_bundle(collection, dict(row.body))).encode()
        digest = hashlib.sha256(data).hexdigest()
        seen = ReceivedPackage.objects.filter(programme=programme, content_hash=digest).exists()
        if seen or PackageRefusal.objects.filter(programme=programme, content_hash=digest, period=period).exists():
            continue
        name = f"taxii-{collection.pk}-{json.dumps(row.version)[1:-1]}.json"
        outcomes.append(intake.do_receive(actor, programme, period, name, data))
    return outcomes
