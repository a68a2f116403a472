"""Packages members push over TAXII: read from a collection of the regional programme, then received as files.

A member posts its package bundle's objects to a collection of a sharing group the regional programme owns
(the sharing app stores them as :class:`~cyberplan.sharing.models.SharedObject`). When the collection is
registered for intake, each POST that adds a package queues :func:`do_take_in` (a worker job); otherwise, or to
catch up, :func:`do_receive_collection`
rebuilds each package's bundle from the collection (the package, the identities and the extension definition
it names, its TLP marking) and passes it to :func:`.intake.do_receive`, so the same checks, records and audit
apply. A bundle already accepted or refused (same hash) is not received again: re-running gives the same result.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation, User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.sharing.actions import add_objects
from cyberplan.sharing.models import Collection, SharedObject, Status
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS, timestamp, tlp_marking

from . import intake
from .choices import REGIONAL_INTAKE
from .models import IntakeCollection, PackageRefusal, ReceivedPackage
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


# -- taking a package in as it arrives ---------------------------------------------------------------------
# The sharing app sends ``envelope_stored`` once a partner's POST is stored; when the collection is registered
# for intake (:class:`.models.IntakeCollection`) and the POST added a package, a worker job takes it in
# (:func:`do_take_in`) and writes the answer note the member reads back (:func:`answer_note`).

ANSWER_NAMESPACE = uuid.UUID("6a0c5a9e-4d7b-4b8f-9b51-3f1d0c2e7a41")
ANSWER_OUTCOME = "x_cyberplan_outcome"
ANSWER_CODE = "x_cyberplan_code"


def answer_id(package_id: str, modified: str) -> str:
    """The id of the note that answers one version of a package (both sides compute it)."""
    return f"note--{uuid.uuid5(ANSWER_NAMESPACE, f'{package_id}|{modified}')}"


def answer_note(package: dict[str, Any], outcome: ReceivedPackage | PackageRefusal) -> dict[str, Any]:
    """A STIX note on the package saying whether the regional programme accepted it, and why not."""
    refused = isinstance(outcome, PackageRefusal)
    stamp = timestamp(outcome.received_at)
    text = (
        _("Refused (%(code)s): %(reason)s") % {"code": outcome.code, "reason": outcome.reason}
        if isinstance(outcome, PackageRefusal)
        else _("Accepted as version %(version)d for %(period)s.")
        % {"version": outcome.version, "period": outcome.period}
    )
    note: dict[str, Any] = {
        "type": "note",
        "spec_version": "2.1",
        "id": answer_id(str(package.get("id", "")), str(package.get("modified", ""))),
        "created": stamp,
        "modified": stamp,
        "content": text,
        "object_refs": [str(package.get("id", ""))],
        ANSWER_OUTCOME: "refused" if refused else "accepted",
        ANSWER_CODE: outcome.code if isinstance(outcome, PackageRefusal) else "accepted",
    }
    label = str(package.get("tlp", ""))
    if label in TLP2_MARKING_IDS and label != "red":
        note["object_marking_refs"] = [TLP2_MARKING_IDS[label]]
    return note


def request_intake(collection: Collection, status: Status, added: list[dict[str, str]]) -> Job | None:
    """Queue the intake of the packages a POST added, when the collection takes packages in; else nothing."""
    intake_for = IntakeCollection.objects.filter(collection=collection).first()
    packages = [a for a in added if str(a.get("id", "")).startswith(f"{PACKAGE_TYPE}--")]
    if intake_for is None or not packages:
        return None
    parameters = {"collection": str(collection.pk), "status": str(status.pk), "packages": packages}
    return do_start_job(None, collection.group.organisation, REGIONAL_INTAKE, parameters)


def on_envelope_stored(sender: object, *, collection: Collection, status: Status, **kwargs: Any) -> None:
    request_intake(collection, status, list(kwargs.get("added", [])))


def do_take_in(collection: Collection, status: Status, added: list[dict[str, str]]) -> list[str]:
    """Receive each package version ``added`` to ``collection`` and store the answer note for its sender."""
    intake_for = IntakeCollection.objects.get(collection=collection)
    programme = collection.group.organisation
    answers: list[str] = []
    for identity in added:
        row = SharedObject.objects.filter(
            collection=collection, stix_id=identity.get("id", ""), version=identity.get("version", "")
        ).first()
        if row is None:
            continue
        package = dict(row.body)
        data = bundle_text(_bundle(collection, package)).encode()
        name = f"taxii-{collection.pk}-{row.version}.json"
        outcome = intake.do_receive(None, programme, intake_for.period, name, data)
        note = answer_note(package, outcome)
        holder = status.credential.holder if status.credential is not None else row.owner
        add_objects(collection, [note], owner=holder, default_tlp=row.tlp)
        answers.append(str(note[ANSWER_CODE]))
    return answers
