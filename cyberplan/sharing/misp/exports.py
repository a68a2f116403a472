"""A collection's MISP events as one download, for a person of the owning organisation (page and API).

The download is a zip holding exactly what the collection's MISP feed serves: ``manifest.json``,
``hashes.csv`` and one ``<event uuid>.json`` per event. Unzipped, it is a MISP feed directory (MISP loads it
as a *local* feed), and each event file imports on its own with MISP's or cyberplan's MISP JSON import. The
events are the ones the release rule lets go to the person (``readers.person_reader``: TLP:RED never, each
label only as the person's role reads it at home), built by the same code as the feed. Each export is
recorded as a release on the ``misp-export`` channel and audited under the person's name (the audit
entry's source says whether from the page or the API). The same
collection exported twice with nothing changed gives the same bytes (fixed dates inside the zip).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterable
from typing import cast

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import User

from ..access import access_collection_by_id
from ..models import Collection, Release
from .events import FeedEvent
from .feed import all_events
from .readers import person_reader

CHANNEL = "misp-export"
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)  # zip entries carry no build time, so equal exports are equal files


def zip_of(events: Iterable[FeedEvent]) -> bytes:
    """The feed files of ``events`` in a zip: manifest.json, hashes.csv and one file per event."""
    events = list(events)
    files = {
        "manifest.json": json.dumps({event.uuid: event.manifest for event in events}),
        "hashes.csv": "".join(f"{digest},{event.uuid}\n" for event in events for digest in event.hashes),
    }
    files.update({f"{event.uuid}.json": event.text for event in events})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


def file_name(collection: Collection) -> str:
    return f"misp-events-{collection.pk}.zip"


@transaction.atomic
def do_export(actor: User, collection: Collection) -> tuple[bytes, Release]:
    """The zip of the events ``actor`` may receive from ``collection``, recorded as a release and audited."""
    events = all_events(person_reader(actor, collection))
    counts: Counter[str] = Counter()
    for event in events:
        counts.update(event.counts)
    organisation = collection.group.organisation
    release = Release.objects.create(
        collection=collection, recipient=organisation, credential=None, channel=CHANNEL, counts=dict(counts)
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=release,
        changes={
            "collection": [None, str(collection.pk)],
            "channel": [None, CHANNEL],
            "events": [None, len(events)],
            "counts": [None, dict(counts)],
        },
        organisation=organisation,
    )
    return zip_of(events), release


# -- the download, from the collection's page ----------------------------------------------------------------


def download(actor: User, collection: Collection) -> HttpResponse:
    """The export as an HTTP attachment (the page's and the API's answer)."""
    data, _release = do_export(actor, collection)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file_name(collection)}"'
    return response


@login_required
@require_GET
def export_view(request: HttpRequest, pk: str) -> HttpResponse:
    """``/sharing/collections/<id>/misp-export/``: for whoever sees the collection's page (404 otherwise)."""
    user = cast(User, request.user)
    return download(user, access_collection_by_id(user, pk))
